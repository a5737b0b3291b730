// 台账: the rectification ledger. A status filter and overdue flags (逾期), edits, closing (销号) only with
// evidence — the latest analysis, or a field verification (date, person, measurement) — the audit trail, XLSX.
import { useCallback, useEffect, useState } from 'react';
import {
  LEDGER_MEASURES, type LedgerAuditRow, type LedgerEvidence, type LedgerMeasure, type LedgerRow, type LedgerStatus,
} from '../../api/contract';
import type { Operator } from '../../gis/types';
import { OPERATORS } from '../../gis/types';
import type { AtlasClient } from '../api';
import { useI18n } from '../i18n/context';
import type { I18n } from '../i18n/format';
import type { MessageKey } from '../i18n/zh-CN';
import { chinaToday, filterLedger } from '../planning/model';
import { deliver } from './deliver';
import { errorMessage as message } from './task';

type Filter = LedgerStatus | 'all' | 'overdue';
const FILTERS: Filter[] = ['all', '待整改', '整改中', '已销号', 'overdue'];

export interface LedgerPanelProps {
  api: AtlasClient;
  who: string;
  onWho: (who: string) => void;
  /** Bumped by the app after items were added elsewhere (blind-spot list, popup). */
  version: number;
  onChanged: () => void;
  onPickSettlement: (id: string) => void;
}

type Mode = { kind: 'edit'; row: LedgerRow } | { kind: 'close'; row: LedgerRow } | { kind: 'history'; row: LedgerRow; audit: LedgerAuditRow[] } | null;

export function LedgerPanel({ api, who, onWho, version, onChanged, onPickSettlement }: LedgerPanelProps) {
  const i18n = useI18n();
  const { t, int, date } = i18n;
  const [rows, setRows] = useState<LedgerRow[] | null>(null);
  const [filter, setFilter] = useState<Filter>('all');
  const [mode, setMode] = useState<Mode>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const load = useCallback(() => {
    api.ledgerList().then(setRows, (e) => setError(message(e)));
  }, [api]);
  useEffect(load, [load, version]);

  const act = async (f: () => Promise<unknown>, done: string) => {
    setError(null);
    try {
      await f();
      setMode(null);
      setNotice(done);
      load();
      onChanged();
    } catch (e) {
      setError(message(e));
    }
  };

  const exportXlsx = async () => {
    try {
      setNotice(deliver(await api.exportLedger({}), i18n));
    } catch (e) {
      setError(message(e));
    }
  };

  const shown = rows ? filterLedger(rows, filter) : [];
  const label = (f: Filter) => (f === 'all' ? t('ledgerAll') : f === 'overdue' ? t('overdue') : f);
  const count = (f: Filter) => (rows ? filterLedger(rows, f).length : 0);

  return (
    <div className="ledger" data-testid="ledger-panel">
      <div className="row">
        <label>{t('whoLabel')} <input type="text" data-testid="ledger-who" value={who} placeholder={t('whoPlaceholder')} onChange={(e) => onWho(e.target.value)} /></label>
        <button type="button" data-testid="ledger-export" onClick={() => void exportXlsx()}>{t('exportXlsx')}</button>
      </div>
      <div className="row filters" role="radiogroup">
        {FILTERS.map((f) => (
          <button key={f} type="button" data-testid={`ledger-filter-${f}`} className={filter === f ? 'active' : undefined} onClick={() => setFilter(f)}>
            {label(f)} <span className="muted">{int(count(f))}</span>
          </button>
        ))}
      </div>
      {error && <p className="not-met" data-testid="ledger-error">{error}</p>}
      {notice && <p className="muted" data-testid="ledger-notice">{notice}</p>}
      {!rows ? <p className="muted">{t('loading')}</p> : rows.length === 0 ? <p className="muted" data-testid="ledger-empty">{t('ledgerEmpty')}</p> : (
        <table className="ledger-table" data-testid="ledger-table">
          <thead><tr><th>{t('ledgerItem')}</th><th>{t('blindName')}</th><th>{t('measureCol')}</th><th>{t('responsibleCol')}</th><th>{t('deadlineCol')}</th><th>{t('statusCol')}</th><th /></tr></thead>
          <tbody>
            {shown.map((r) => (
              <tr key={r.itemId} data-testid="ledger-row" data-item={r.itemId} data-status={r.status} className={r.overdue ? 'overdue' : undefined}>
                <td className="small">{r.itemId}</td>
                <td className="clickable" onClick={() => onPickSettlement(r.settlementId)}>{r.name || r.settlementId}<div className="muted small">{r.county} {r.township} {r.village}</div></td>
                <td>{r.measure}{r.operator && <div className="muted small">{t(`op_${r.operator}` as MessageKey)}</div>}</td>
                <td>{r.responsible}</td>
                <td className="num">{r.deadline ?? '—'}{r.overdue && <span className="tag warn" data-testid="overdue-flag">{t('overdue')}</span>}</td>
                <td><span className={`status-chip s-${STATUS_CLASS[r.status]}`} data-testid="ledger-status">{r.status}</span></td>
                <td className="actions">
                  {r.status !== '已销号' && <button type="button" data-testid="ledger-edit" onClick={() => setMode({ kind: 'edit', row: r })}>{t('edit')}</button>}
                  {r.status !== '已销号' && <button type="button" data-testid="ledger-close" onClick={() => setMode({ kind: 'close', row: r })}>{t('closeItem')}</button>}
                  <button type="button" data-testid="ledger-history" onClick={() => api.ledgerHistory(r.itemId).then((audit) => setMode({ kind: 'history', row: r, audit }), (e) => setError(message(e)))}>{t('history')}</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {mode?.kind === 'edit' && <EditForm row={mode.row} onCancel={() => setMode(null)}
        onSave={(patch) => void act(() => api.ledgerUpdate(mode.row.itemId, patch, who), t('ledgerSaved', { id: mode.row.itemId }))} />}
      {mode?.kind === 'close' && <CloseForm row={mode.row} who={who} onCancel={() => setMode(null)}
        onClose={(evidence) => void act(() => api.ledgerClose(mode.row.itemId, evidence, who), t('ledgerClosed', { id: mode.row.itemId }))} />}
      {mode?.kind === 'history' && (
        <div className="form" data-testid="ledger-audit">
          <h4>{t('historyTitle', { id: mode.row.itemId })}</h4>
          <table className="audit">
            <thead><tr><th>{t('auditWhen')}</th><th>{t('auditWho')}</th><th>{t('auditField')}</th><th>{t('auditBefore')}</th><th>{t('auditAfter')}</th></tr></thead>
            <tbody>
              {mode.audit.map((a, i) => (
                <tr key={i} data-testid="audit-row" data-field={a.field}><td className="small">{date(a.at)}</td><td>{a.who}</td><td>{t(AUDIT_FIELD[a.field] ?? 'auditField')}</td>
                  <td className="small">{auditValue(a.field, a.before, i18n)}</td><td className="small">{auditValue(a.field, a.after, i18n)}</td></tr>
              ))}
            </tbody>
          </table>
          <button type="button" onClick={() => setMode(null)}>{t('closePanel')}</button>
        </div>
      )}
    </div>
  );
}

const STATUS_CLASS: Record<LedgerStatus, string> = { 待整改: 'open', 整改中: 'doing', 已销号: 'closed' };

const AUDIT_FIELD: Record<string, MessageKey> = {
  settlement_id: 'auditSettlement', operator: 'operator', measure: 'measureCol', responsible: 'responsibleCol',
  deadline: 'deadlineCol', status: 'statusCol', evidence: 'auditEvidence',
};

/** An audit value as a person reads it: operators by name, evidence as its latest entry, not JSON. */
function auditValue(field: string, v: string | null, i18n: I18n): string {
  if (v === null || v === '') return '—';
  if (field === 'operator') return i18n.t(`op_${v}` as MessageKey);
  if (field !== 'evidence') return v;
  const list = JSON.parse(v) as LedgerEvidence[];
  const e = list.at(-1);
  if (!e) return '—';
  return e.kind === 'field'
    ? i18n.t('evidenceFieldText', { date: e.date, person: e.person, measurement: e.measurement })
    : i18n.t('evidenceAnalysisText', { at: i18n.date(e.analyzedAt) });
}

function EditForm({ row, onSave, onCancel }: { row: LedgerRow; onSave: (p: { measure: LedgerMeasure; responsible: string; deadline: string | null; status: '待整改' | '整改中'; operator: Operator | null }) => void; onCancel: () => void }) {
  const { t } = useI18n();
  const [measure, setMeasure] = useState(row.measure);
  const [responsible, setResponsible] = useState(row.responsible);
  const [deadline, setDeadline] = useState(row.deadline ?? '');
  const [status, setStatus] = useState<'待整改' | '整改中'>(row.status === '整改中' ? '整改中' : '待整改');
  const [operator, setOperator] = useState<Operator | ''>(row.operator ?? '');
  return (
    <div className="form" data-testid="ledger-edit-form">
      <h4>{t('editTitle', { id: row.itemId })}</h4>
      <label className="row">{t('statusCol')} <select data-testid="edit-status" value={status} onChange={(e) => setStatus(e.target.value as '待整改' | '整改中')}><option>待整改</option><option>整改中</option></select></label>
      <label className="row">{t('measureCol')} <select value={measure} onChange={(e) => setMeasure(e.target.value as LedgerMeasure)}>{LEDGER_MEASURES.map((m) => <option key={m}>{m}</option>)}</select></label>
      <label className="row">{t('operator')} <select value={operator} onChange={(e) => setOperator(e.target.value as Operator | '')}><option value="">—</option>{OPERATORS.map((o) => <option key={o} value={o}>{t(`op_${o}` as MessageKey)}</option>)}</select></label>
      <label className="row">{t('responsibleCol')} <input type="text" value={responsible} onChange={(e) => setResponsible(e.target.value)} /></label>
      <label className="row">{t('deadlineCol')} <input type="date" value={deadline} onChange={(e) => setDeadline(e.target.value)} /></label>
      <div className="row">
        <button type="button" className="primary" data-testid="edit-save" onClick={() => onSave({ measure, responsible, deadline: deadline || null, status, operator: operator || null })}>{t('save')}</button>
        <button type="button" onClick={onCancel}>{t('cancel')}</button>
      </div>
    </div>
  );
}

function CloseForm({ row, who, onClose, onCancel }: { row: LedgerRow; who: string; onClose: (e: { kind: 'analysis' } | { kind: 'field'; date: string; person: string; measurement: string }) => void; onCancel: () => void }) {
  const { t } = useI18n();
  const [kind, setKind] = useState<'analysis' | 'field'>('field');
  const [date, setDate] = useState(chinaToday(new Date()));
  const [person, setPerson] = useState(who);
  const [measurement, setMeasurement] = useState('');
  return (
    <div className="form" data-testid="ledger-close-form">
      <h4>{t('closeTitle', { id: row.itemId })}</h4>
      <p className="muted small">{t('closeExplain')}</p>
      <label className="row"><input type="radio" name="evidence" checked={kind === 'analysis'} onChange={() => setKind('analysis')} data-testid="evidence-analysis" /> {t('evidenceAnalysis')}</label>
      <label className="row"><input type="radio" name="evidence" checked={kind === 'field'} onChange={() => setKind('field')} data-testid="evidence-field" /> {t('evidenceField')}</label>
      {kind === 'field' && (
        <>
          <label className="row">{t('fieldDate')} <input type="date" data-testid="field-date" value={date} onChange={(e) => setDate(e.target.value)} /></label>
          <label className="row">{t('fieldPerson')} <input type="text" data-testid="field-person" value={person} onChange={(e) => setPerson(e.target.value)} /></label>
          <label className="row">{t('fieldMeasurement')} <input type="text" data-testid="field-measurement" value={measurement} placeholder={t('fieldMeasurementHint')} onChange={(e) => setMeasurement(e.target.value)} /></label>
        </>
      )}
      <div className="row">
        <button type="button" className="primary" data-testid="close-confirm" onClick={() => onClose(kind === 'analysis' ? { kind } : { kind, date, person, measurement })}>{t('closeItem')}</button>
        <button type="button" onClick={onCancel}>{t('cancel')}</button>
      </div>
    </div>
  );
}

/** The form shown when blind spots are added to the ledger (one from a row or the popup, or a page in bulk). */
export function LedgerAddForm({ count, who, onAdd, onCancel }: {
  count: number; who: string;
  onAdd: (o: { responsible: string; deadline: string | null; operator: Operator | null; measure: LedgerMeasure | 'auto' }) => void;
  onCancel: () => void;
}) {
  const { t, int } = useI18n();
  const [responsible, setResponsible] = useState(who);
  const [deadline, setDeadline] = useState('');
  const [operator, setOperator] = useState<Operator | ''>('');
  const [measure, setMeasure] = useState<LedgerMeasure | 'auto'>('auto');
  return (
    <div className="form overlay" data-testid="ledger-add-form">
      <h4>{t('addTitle', { n: int(count) })}</h4>
      <label className="row">{t('measureCol')} <select value={measure} onChange={(e) => setMeasure(e.target.value as LedgerMeasure | 'auto')}>
        <option value="auto">{t('measureAuto')}</option>{LEDGER_MEASURES.map((m) => <option key={m}>{m}</option>)}</select></label>
      <label className="row">{t('operator')} <select value={operator} onChange={(e) => setOperator(e.target.value as Operator | '')}><option value="">—</option>{OPERATORS.map((o) => <option key={o} value={o}>{t(`op_${o}` as MessageKey)}</option>)}</select></label>
      <label className="row">{t('responsibleCol')} <input type="text" data-testid="add-responsible" value={responsible} onChange={(e) => setResponsible(e.target.value)} /></label>
      <label className="row">{t('deadlineCol')} <input type="date" data-testid="add-deadline" value={deadline} onChange={(e) => setDeadline(e.target.value)} /></label>
      <div className="row">
        <button type="button" className="primary" data-testid="add-confirm" onClick={() => onAdd({ responsible, deadline: deadline || null, operator: operator || null, measure })}>{t('addConfirm')}</button>
        <button type="button" onClick={onCancel}>{t('cancel')}</button>
      </div>
    </div>
  );
}
