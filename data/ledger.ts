// The rectification ledger (整改台账) over a workspace's SQLite handle. Items come from blind spots; an item
// is closed (销号) only on evidence: a later analysis showing the settlement covered, or a recorded field
// verification. Every edit is one transaction that also writes its audit rows (who, when, field, before, after).
import type Database from 'better-sqlite3';
import type { SettlementResult } from '../gis/report';
import type { Operator } from '../gis/types';
import { OPERATORS } from '../gis/types';

export const MEASURES = ['新建基站', '光纤延伸', '维修', '其他'] as const;
export type Measure = (typeof MEASURES)[number];
export const STATUSES = ['待整改', '整改中', '已销号'] as const;
export type Status = (typeof STATUSES)[number];

export type Evidence =
  | {
    kind: 'analysis';
    /** When the analysis ran (ISO time); must be after the item was created. */
    analyzedAt: string;
    settlementId: string;
    mobileOperators: Operator[];
    broadbandOperators: Operator[];
    recordedAt: string;
  }
  | { kind: 'field'; date: string; person: string; measurement: string; recordedAt: string };

export interface LedgerItem {
  itemId: string;
  settlementId: string;
  operator: Operator | null;
  measure: Measure;
  responsible: string;
  /** YYYY-MM-DD or null. */
  deadline: string | null;
  status: Status;
  evidence: Evidence[];
  createdAt: string;
  updatedAt: string;
  /** Not closed and past its deadline (dates in China Standard Time). */
  overdue: boolean;
}

export interface NewItem {
  settlementId: string;
  operator?: Operator | null;
  measure: Measure;
  responsible: string;
  deadline?: string | null;
}

export interface ItemPatch {
  operator?: Operator | null;
  measure?: Measure;
  responsible?: string;
  deadline?: string | null;
  /** 待整改 or 整改中; 已销号 only through close(). */
  status?: Exclude<Status, '已销号'>;
}

export type CloseEvidence =
  | { kind: 'analysis'; settlement: SettlementResult; analyzedAt: string }
  | { kind: 'field'; date: string; person: string; measurement: string };

export interface AuditRow {
  who: string;
  at: string;
  field: string;
  before: string | null;
  after: string | null;
}

export class LedgerError extends Error {
  constructor(readonly item: string | null, readonly field: string, zh: string, en: string) {
    super(`${item ? `${item}: ` : ''}${field}: ${zh} (${en})`);
    this.name = 'LedgerError';
  }
}

interface Row {
  id: number; item_id: string; settlement_id: string; operator: Operator | null; measure: string; responsible: string;
  deadline: string | null; status: Status; evidence: string; created_at: string; updated_at: string;
}

const EDITABLE = ['operator', 'measure', 'responsible', 'deadline', 'status'] as const;

/** Today's date in China Standard Time (UTC+8, no daylight saving), YYYY-MM-DD. */
export function chinaDate(now: Date): string {
  return new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
}

export class Ledger {
  private readonly now: () => Date;
  constructor(private readonly db: Database.Database, options: { now?: () => Date } = {}) {
    this.now = options.now ?? (() => new Date());
  }

  add(item: NewItem, who: string): LedgerItem {
    return this.addMany([item], who)[0];
  }

  /** Adds items in one transaction: all or none. */
  addMany(items: readonly NewItem[], who: string): LedgerItem[] {
    checkWho(who);
    items.forEach((it, k) => checkNew(it, items.length > 1 ? `item ${k}` : null));
    return this.db.transaction(() => {
      const at = this.now().toISOString();
      const count = this.db.prepare('SELECT count(*) FROM atlas_ledger WHERE settlement_id = ?').pluck();
      const insert = this.db.prepare(`INSERT INTO atlas_ledger
        (item_id, settlement_id, operator, measure, responsible, deadline, status, evidence, created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, '待整改', '[]', ?, ?)`);
      return items.map((it) => {
        const seq = (count.get(it.settlementId) as number) + 1;
        const itemId = `ZG-${it.settlementId}-${String(seq).padStart(2, '0')}`;
        const { lastInsertRowid } = insert.run(itemId, it.settlementId, it.operator ?? null, it.measure, it.responsible.trim(),
          it.deadline ?? null, at, at);
        const id = Number(lastInsertRowid);
        const fields: [string, string | null][] = [['settlement_id', it.settlementId], ['operator', it.operator ?? null],
          ['measure', it.measure], ['responsible', it.responsible.trim()], ['deadline', it.deadline ?? null], ['status', '待整改']];
        for (const [field, after] of fields) this.audit(id, who, at, field, null, after);
        return this.toItem(this.row(itemId));
      });
    }).immediate();
  }

  update(itemId: string, patch: ItemPatch, who: string): LedgerItem {
    checkWho(who);
    for (const key of Object.keys(patch)) {
      if (!(EDITABLE as readonly string[]).includes(key)) throw new LedgerError(itemId, key, '不可修改的字段', `not an editable field; expected one of ${EDITABLE.join(', ')}`);
    }
    if (patch.status !== undefined && patch.status !== '待整改' && patch.status !== '整改中') {
      throw new LedgerError(itemId, 'status', `不能直接改为 ${String(patch.status)}，销号须提供证据`,
        `found ${JSON.stringify(patch.status)}; expected 待整改 or 整改中 (closing needs evidence: use close)`);
    }
    checkFields(patch, itemId);
    return this.db.transaction(() => {
      const row = this.row(itemId);
      if (row.status === '已销号') throw new LedgerError(itemId, 'status', '已销号，不能再修改', 'closed; it cannot be edited');
      const at = this.now().toISOString();
      const changed: [string, string | null, string | null][] = [];
      for (const key of EDITABLE) {
        if (!(key in patch)) continue;
        const raw = patch[key];
        const after = raw === undefined || raw === null ? null : key === 'responsible' ? String(raw).trim() : String(raw);
        const before = row[key] ?? null;
        if (after !== before) changed.push([key, before, after]);
      }
      if (changed.length === 0) return this.toItem(row);
      const sets = changed.map(([k]) => `${k} = ?`).join(', ');
      this.db.prepare(`UPDATE atlas_ledger SET ${sets}, updated_at = ? WHERE id = ?`).run(...changed.map(([, , a]) => a), at, row.id);
      for (const [field, before, after] of changed) this.audit(row.id, who, at, field, before, after);
      return this.toItem(this.row(itemId));
    }).immediate();
  }

  /**
   * Closes (销号) an item on evidence. Analysis evidence must be for this settlement, newer than the item, and
   * show the coverage the measure was for (新建基站: 4G; 光纤延伸: broadband; 维修/其他: both), by the item's
   * operator when it names one. A field verification needs its date, person and measurement.
   */
  close(itemId: string, evidence: CloseEvidence, who: string): LedgerItem {
    checkWho(who);
    return this.db.transaction(() => {
      const row = this.row(itemId);
      if (row.status === '已销号') throw new LedgerError(itemId, 'status', '已销号', 'already closed');
      const at = this.now().toISOString();
      const recorded = this.checkEvidence(row, evidence, at);
      const list = [...(JSON.parse(row.evidence) as Evidence[]), recorded];
      this.db.prepare(`UPDATE atlas_ledger SET status = '已销号', evidence = ?, updated_at = ? WHERE id = ?`).run(JSON.stringify(list), at, row.id);
      this.audit(row.id, who, at, 'evidence', row.evidence, JSON.stringify(list));
      this.audit(row.id, who, at, 'status', row.status, '已销号');
      return this.toItem(this.row(itemId));
    }).immediate();
  }

  get(itemId: string): LedgerItem {
    return this.toItem(this.row(itemId));
  }

  list(filter: { status?: Status; overdue?: boolean; settlementId?: string } = {}): LedgerItem[] {
    if (filter.status !== undefined && !STATUSES.includes(filter.status)) {
      throw new LedgerError(null, 'status', `未知状态 ${String(filter.status)}`, `expected one of ${STATUSES.join(', ')}`);
    }
    const rows = this.db.prepare(`SELECT * FROM atlas_ledger
      WHERE (@status IS NULL OR status = @status) AND (@settlement IS NULL OR settlement_id = @settlement) ORDER BY id`)
      .all({ status: filter.status ?? null, settlement: filter.settlementId ?? null }) as Row[];
    const items = rows.map((r) => this.toItem(r));
    return filter.overdue ? items.filter((i) => i.overdue) : items;
  }

  history(itemId: string): AuditRow[] {
    const row = this.row(itemId);
    return this.db.prepare('SELECT who, at, field, before, after FROM atlas_ledger_audit WHERE ledger_id = ? ORDER BY id').all(row.id) as AuditRow[];
  }

  private row(itemId: string): Row {
    const row = this.db.prepare('SELECT * FROM atlas_ledger WHERE item_id = ?').get(itemId) as Row | undefined;
    if (!row) throw new LedgerError(itemId, 'item', '台账中没有此条目', 'no such ledger item');
    return row;
  }

  private audit(id: number, who: string, at: string, field: string, before: string | null, after: string | null): void {
    this.db.prepare('INSERT INTO atlas_ledger_audit (ledger_id, who, at, field, before, after) VALUES (?, ?, ?, ?, ?, ?)')
      .run(id, who.trim(), at, field, before, after);
  }

  private toItem(r: Row): LedgerItem {
    return {
      itemId: r.item_id, settlementId: r.settlement_id, operator: r.operator, measure: r.measure as Measure,
      responsible: r.responsible, deadline: r.deadline, status: r.status, evidence: JSON.parse(r.evidence) as Evidence[],
      createdAt: r.created_at, updatedAt: r.updated_at,
      overdue: r.status !== '已销号' && r.deadline !== null && r.deadline < chinaDate(this.now()),
    };
  }

  private checkEvidence(row: Row, e: CloseEvidence, at: string): Evidence {
    const item = row.item_id;
    if (!e || typeof e !== 'object') throw new LedgerError(item, 'evidence', '销号须提供证据', 'closing needs evidence: a later analysis or a field verification');
    if (e.kind === 'field') {
      checkDate(e.date, item, 'date');
      if (e.date > chinaDate(this.now())) throw new LedgerError(item, 'date', `核查日期 ${e.date} 晚于今天`, `found ${e.date}; a verification date cannot be in the future`);
      for (const key of ['person', 'measurement'] as const) {
        if (typeof e[key] !== 'string' || e[key].trim() === '') {
          throw new LedgerError(item, key, key === 'person' ? '缺少核查人' : '缺少测量结果', `missing; a field verification needs its ${key}`);
        }
      }
      return { kind: 'field', date: e.date, person: e.person.trim(), measurement: e.measurement.trim(), recordedAt: at };
    }
    if (e.kind !== 'analysis') throw new LedgerError(item, 'evidence', '证据类型无效', `found kind ${JSON.stringify((e as { kind?: unknown }).kind)}; expected analysis or field`);
    const s = e.settlement;
    if (!s || s.id !== row.settlement_id) {
      throw new LedgerError(item, 'settlement', '分析结果不是本条目的聚居区', `analysis is for ${JSON.stringify(s?.id)}; expected ${row.settlement_id}`);
    }
    if (!(typeof e.analyzedAt === 'string' && e.analyzedAt > row.created_at)) {
      throw new LedgerError(item, 'analyzedAt', '分析须晚于建档时间', `found ${JSON.stringify(e.analyzedAt)}; expected a time after ${row.created_at}`);
    }
    const needs: ('mobile' | 'broadband')[] = row.measure === '新建基站' ? ['mobile'] : row.measure === '光纤延伸' ? ['broadband'] : ['mobile', 'broadband'];
    for (const layer of needs) {
      const ops = layer === 'mobile' ? s.mobileOperators : s.broadbandOperators;
      const ok = row.operator ? ops.includes(row.operator) : ops.length > 0;
      if (!ok) {
        const what = layer === 'mobile' ? '4G' : '宽带';
        throw new LedgerError(item, layer, `最新分析显示仍无${row.operator ? ` ${row.operator} ` : ''}${what}覆盖，不能销号`,
          `the analysis still shows no ${row.operator ? `${row.operator} ` : ''}${layer} coverage; not closed`);
      }
    }
    return {
      kind: 'analysis', analyzedAt: e.analyzedAt, settlementId: s.id,
      mobileOperators: [...s.mobileOperators], broadbandOperators: [...s.broadbandOperators], recordedAt: at,
    };
  }
}

function checkWho(who: string): void {
  if (typeof who !== 'string' || who.trim() === '') throw new LedgerError(null, 'who', '须注明操作人', 'missing; every change records who made it');
}

function checkNew(it: NewItem, where: string | null): void {
  if (typeof it.settlementId !== 'string' || it.settlementId.trim() === '') {
    throw new LedgerError(where, 'settlementId', '缺少聚居区编号', 'missing; expected the settlement id');
  }
  checkFields(it, where);
  if (it.measure === undefined) throw new LedgerError(where, 'measure', '缺少整改措施', `missing; expected one of ${MEASURES.join('/')}`);
  if (typeof it.responsible !== 'string' || it.responsible.trim() === '') throw new LedgerError(where, 'responsible', '缺少责任人', 'missing; expected the responsible person');
}

function checkFields(p: ItemPatch, where: string | null): void {
  if (p.operator !== undefined && p.operator !== null && !OPERATORS.includes(p.operator)) {
    throw new LedgerError(where, 'operator', `未知运营商 ${String(p.operator)}`, `expected one of ${OPERATORS.join(', ')}`);
  }
  if (p.measure !== undefined && !MEASURES.includes(p.measure)) {
    throw new LedgerError(where, 'measure', `未知整改措施 ${String(p.measure)}`, `expected one of ${MEASURES.join(', ')}`);
  }
  if (p.responsible !== undefined && (typeof p.responsible !== 'string' || p.responsible.trim() === '')) {
    throw new LedgerError(where, 'responsible', '责任人不能为空', 'expected the responsible person');
  }
  if (p.deadline !== undefined && p.deadline !== null) checkDate(p.deadline, where, 'deadline');
}

function checkDate(value: unknown, where: string | null, field: string): void {
  const time = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) ? Date.parse(`${value}T00:00:00Z`) : NaN;
  const ok = Number.isFinite(time) && new Date(time).toISOString().slice(0, 10) === value;
  if (!ok) throw new LedgerError(where, field, `日期无效 ${JSON.stringify(value)}`, `found ${JSON.stringify(value)}; expected a date YYYY-MM-DD`);
}
