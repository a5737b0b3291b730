// 报告: snapshots (save, list, compare), the monthly report's preview with the due-by-the-25th reminder, the
// trend per county and city against the target lines, and one-click exports (XLSX, CSV, GeoJSON, GeoPackage,
// the PDF atlas, the map as PNG up to 300 dpi on A3/A4).
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { MonthlyReportView, RateRow, ReportFormat, SnapshotDiff, SnapshotInfo } from '../../api/contract';
import type { AtlasClient } from '../api';
import { useI18n } from '../i18n/context';
import type { MessageKey } from '../i18n/zh-CN';
import { chinaToday, trendChart, type ChartSeries } from '../planning/model';
import { deliver } from './deliver';
import { errorMessage as message, useTask } from './task';

const FORMATS: { format: ReportFormat; key: MessageKey }[] = [
  { format: 'xlsx', key: 'fmtXlsx' }, { format: 'csv', key: 'fmtCsv' }, { format: 'geojson', key: 'fmtGeojson' },
  { format: 'gpkg', key: 'fmtGpkg' }, { format: 'pdf', key: 'fmtPdf' },
];

export interface ReportPanelProps {
  api: AtlasClient;
  counties: { key: string; name: string; focus: boolean }[];
  /** After a report export (the reminder banner may go). */
  onExported: (month: string) => void;
}

export function ReportPanel({ api, counties, onExported }: ReportPanelProps) {
  const i18n = useI18n();
  const { t, int, pct, date } = i18n;
  const today = chinaToday(new Date());
  const [snaps, setSnaps] = useState<SnapshotInfo[] | null>(null);
  const [label, setLabel] = useState(`${Number(today.slice(0, 4))}年${Number(today.slice(5, 7))}月`);
  const [snapDate, setSnapDate] = useState(today);
  const [a, setA] = useState<number | null>(null);
  const [b, setB] = useState<number | null>(null);
  const [diff, setDiff] = useState<SnapshotDiff | null>(null);
  const [month, setMonth] = useState(today.slice(0, 7));
  const [report, setReport] = useState<MonthlyReportView | null>(null);
  const [trendCounty, setTrendCounty] = useState(counties.find((c) => c.focus)?.key ?? '');
  const [mapCounty, setMapCounty] = useState('');
  const [dpi, setDpi] = useState(150);
  const [paper, setPaper] = useState<'A3' | 'A4'>('A3');
  const { busy, error, setError, notice, setNotice, run } = useTask();


  const loadSnaps = useCallback(() => {
    api.snapshots().then((s) => {
      setSnaps(s);
      if (s.length >= 2) {
        setA(s[s.length - 2].runId);
        setB(s[s.length - 1].runId);
      }
    }, (e) => setError(message(e)));
  }, [api]);
  useEffect(loadSnaps, [loadSnaps]);

  const loadReport = useCallback(async (m: string) => {
    const r = await run('report', () => api.monthlyReport(m));
    if (r) setReport(r);
    // run() only uses state setters, which React keeps stable: api alone decides when this changes.
  }, [api]);
  useEffect(() => { void loadReport(month); }, [loadReport, month]);

  const save = async () => {
    const s = await run('snapshot', () => api.takeSnapshot(label, snapDate));
    if (!s) return;
    setNotice(t('snapshotSaved', { label: s.label, date: s.date }));
    loadSnaps();
    if (s.month === month) void loadReport(month);
  };

  const compare = async () => {
    if (a === null || b === null) return;
    const d = await run('compare', () => api.compareSnapshots(a, b));
    if (d) setDiff(d);
  };

  const exportReport = async (format: ReportFormat) => {
    const f = await run(`export-${format}`, () => api.exportReport({ month, format }));
    if (f === undefined) return;
    setNotice(deliver(f, i18n));
    if (f) {
      onExported(month);
      setReport((r) => (r ? { ...r, exportedAt: new Date().toISOString() } : r));
    }
  };

  const exportMap = async () => {
    const f = await run('map', () => api.exportMap({ county: mapCounty || undefined, month, dpi, paper }));
    if (f !== undefined) setNotice(deliver(f, i18n));
  };

  const months = useMemo(() => [...new Set([today.slice(0, 7), ...(snaps ?? []).map((s) => s.month)])].sort().reverse(), [snaps, today]);

  return (
    <div className="reports" data-testid="report-panel">
      {error && <p className="not-met" data-testid="report-error">{error}</p>}
      {notice && <p className="muted" data-testid="report-notice">{notice}</p>}
      <section>
        <h4>{t('snapshotsTitle')}</h4>
        <div className="row">
          <label>{t('snapshotLabel')} <input type="text" data-testid="snapshot-label" value={label} onChange={(e) => setLabel(e.target.value)} style={{ width: 110 }} /></label>
          <label>{t('snapshotDate')} <input type="date" data-testid="snapshot-date" value={snapDate} onChange={(e) => setSnapDate(e.target.value)} /></label>
          <button type="button" className="primary" data-testid="snapshot-save" disabled={busy !== null} onClick={() => void save()}>{busy === 'snapshot' ? t('computing') : t('snapshotSave')}</button>
        </div>
        {snaps && snaps.length === 0 && <p className="muted">{t('snapshotsNone')}</p>}
        {snaps && snaps.length > 0 && (
          <table className="snaps" data-testid="snapshot-table">
            <thead><tr><th>A</th><th>B</th><th>{t('snapshotLabel')}</th><th>{t('snapshotMonth')}</th><th>{t('snapshotDate')}</th><th>{t('snapshotSavedAt')}</th><th className="num">{t('settlementsCol')}</th></tr></thead>
            <tbody>
              {snaps.map((s) => (
                <tr key={s.runId} data-testid="snapshot-row">
                  <td><input type="radio" name="snapA" checked={a === s.runId} onChange={() => setA(s.runId)} /></td>
                  <td><input type="radio" name="snapB" checked={b === s.runId} onChange={() => setB(s.runId)} /></td>
                  <td>{s.label}</td><td>{s.month}</td><td>{s.date}</td><td className="small">{date(s.createdAt)}</td><td className="num">{int(s.settlements)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <button type="button" data-testid="snapshot-compare" disabled={a === null || b === null || a === b || busy !== null} onClick={() => void compare()}>{t('snapshotCompare')}</button>
        {diff && (
          <table className="rates" data-testid="diff-table">
            <thead><tr><th>{t('county')}</th><th className="num">4G {diff.before.label} → {diff.after.label}</th><th className="num">{t('broadbandShort')} {diff.before.label} → {diff.after.label}</th>
              <th className="num">{t('newlyCovered')}</th><th className="num">{t('newlyLost')}</th><th className="num">{t('stillUncovered')}</th></tr></thead>
            <tbody>
              {[{ ...diff.city, key: t('city') }, ...focusFirst(diff.counties, counties)].map((c) => (
                <tr key={c.key} data-testid="diff-row" data-key={c.key}>
                  <th scope="row">{c.key}</th>
                  <td className="num">{pct(c.before.mobile)} → {pct(c.after.mobile)}</td>
                  <td className="num">{pct(c.before.broadband)} → {pct(c.after.broadband)}</td>
                  <td className="num met">{int(c.newlyCovered.length)}</td>
                  <td className="num not-met">{int(c.newlyLost.length)}</td>
                  <td className="num">{int(c.stillUncovered.length)}</td>
                </tr>
              ))}
              <tr><td colSpan={6} className="muted small">{t('diffListed', { n: int(diff.listedVillages.length), covered: int(diff.listedVillages.reduce((s, v) => s + v.newlyCovered.length, 0)), still: int(diff.listedVillages.reduce((s, v) => s + v.stillUncovered.length, 0)) })}</td></tr>
            </tbody>
          </table>
        )}
      </section>

      <section>
        <h4>{t('monthlyTitle')}</h4>
        <div className="row">
          <label>{t('monthLabel')} <select data-testid="report-month" value={month} onChange={(e) => setMonth(e.target.value)}>{months.map((m) => <option key={m} value={m}>{m}</option>)}</select></label>
          {busy === 'report' && <span className="muted">{t('computing')}</span>}
        </div>
        {report && (
          <div data-testid="monthly-preview">
            <p className="reminder" data-testid="report-reminder">{report.reminder}{report.exportedAt ? ` ${t('reportExportedAt', { at: date(report.exportedAt) })}` : ''}</p>
            {report.note && <p className="banner warn small">{report.note}</p>}
            <p className="muted small">{report.previous ? t('comparedWith', { label: report.previous.label, date: report.previous.date }) : t('noPrevious')} · {t('ledgerDue', { n: int(report.ledgerDue.length) })}</p>
            <RateTable rows={[report.city, ...report.counties]} cityLabel={t('city')} testid="monthly-counties" />
            <details>
              <summary>{t('listedVillages')} ({int(report.listedVillages.length)})</summary>
              <RateTable rows={report.listedVillages} cityLabel="" testid="monthly-listed" />
            </details>
            <h4>{t('trendTitle')}</h4>
            <div className="row">
              <select value={trendCounty} onChange={(e) => setTrendCounty(e.target.value)} data-testid="trend-county">
                {counties.map((c) => <option key={c.key} value={c.key}>{c.name}</option>)}
              </select>
            </div>
            <TrendChart report={report} county={trendCounty} />
          </div>
        )}
      </section>

      <section>
        <h4>{t('exportsTitle', { month })}</h4>
        <div className="row wrap">
          {FORMATS.map((f) => (
            <button key={f.format} type="button" data-testid={`export-${f.format}`} disabled={busy !== null} onClick={() => void exportReport(f.format)}>
              {busy === `export-${f.format}` ? t('computing') : t(f.key)}
            </button>
          ))}
        </div>
        <div className="row wrap">
          <select value={mapCounty} onChange={(e) => setMapCounty(e.target.value)} data-testid="map-county">
            <option value="">{t('city')}</option>
            {counties.map((c) => <option key={c.key} value={c.key}>{c.name}</option>)}
          </select>
          <select value={dpi} onChange={(e) => setDpi(Number(e.target.value))} data-testid="map-dpi">{[72, 150, 200, 300].map((d) => <option key={d} value={d}>{d} dpi</option>)}</select>
          <select value={paper} onChange={(e) => setPaper(e.target.value as 'A3' | 'A4')} data-testid="map-paper"><option>A3</option><option>A4</option></select>
          <button type="button" data-testid="export-map" disabled={busy !== null} onClick={() => void exportMap()}>{busy === 'map' ? t('computing') : t('fmtPng')}</button>
        </div>
      </section>
    </div>
  );
}

/** Focus counties first, in the order the county table uses. */
function focusFirst<T extends { key: string }>(rows: readonly T[], counties: ReportPanelProps['counties']): T[] {
  const rank = (k: string) => {
    const i = counties.findIndex((c) => c.key === k);
    return i < 0 ? counties.length : i;
  };
  return [...rows].sort((a, b) => rank(a.key) - rank(b.key));
}

function RateTable({ rows, cityLabel, testid }: { rows: RateRow[]; cityLabel: string; testid: string }) {
  const { t, pct, int } = useI18n();
  const delta = (now: number | null, then: number | null) => (now === null || then === null ? '' : `${now >= then ? '+' : ''}${((now - then) * 100).toFixed(1)}`);
  return (
    <table className="rates" data-testid={testid}>
      <thead><tr><th>{t('county')}</th><th className="num">4G</th><th className="num">{t('vsLast')}</th><th className="num">{t('broadbandShort')}</th><th className="num">{t('vsLast')}</th>
        <th className="num">{t('closedCol')}</th><th className="num">{t('remainingCol')}</th></tr></thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.key} className={r.focus ? 'focus' : undefined} data-testid="monthly-row" data-key={r.key}>
            <th scope="row">{r.key === '' ? cityLabel : r.township ? `${r.township} ${r.village}` : r.county}{r.focus && <span className="tag">{t('focusTag')}</span>}</th>
            <td className={`num ${r.mobileMet ? 'met' : r.mobileMet === false ? 'not-met' : ''}`}>{pct(r.mobile) ?? '—'}</td>
            <td className="num small">{delta(r.mobile, r.mobilePrevious)}</td>
            <td className={`num ${r.broadbandMet ? 'met' : r.broadbandMet === false ? 'not-met' : ''}`}>{pct(r.broadband) ?? '—'}</td>
            <td className="num small">{delta(r.broadband, r.broadbandPrevious)}</td>
            <td className="num">{int(r.closed)}</td>
            <td className="num">{int(r.remaining)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function TrendChart({ report, county }: { report: MonthlyReportView; county: string }) {
  const { t, pct } = useI18n();
  const series: ChartSeries[] = [
    { name: `${t('city')} 4G`, color: '#2f7fd8', points: report.trend.city, key: 'mobile' },
    { name: `${t('city')} ${t('broadbandShort')}`, color: '#8a6d3b', points: report.trend.city, key: 'broadband' },
    ...(report.trend.counties[county] ? [
      { name: `${county} 4G`, color: '#7b3fe4', points: report.trend.counties[county], key: 'mobile' as const },
      { name: `${county} ${t('broadbandShort')}`, color: '#d97706', points: report.trend.counties[county], key: 'broadband' as const },
    ] : []),
  ];
  const g = trendChart(series, [
    { rate: report.targets.mobile, label: `4G ${t('targetShort', { target: pct(report.targets.mobile) ?? '' })}` },
    { rate: report.targets.broadband, label: `${t('broadbandShort')} ${t('targetShort', { target: pct(report.targets.broadband) ?? '' })}` },
  ]);
  return (
    <figure className="trend" data-testid="trend-chart">
      <svg width={g.width} height={g.height} viewBox={`0 0 ${g.width} ${g.height}`} role="img" aria-label={t('trendTitle')}>
        {g.yTicks.map((y) => (
          <g key={y.label}><line x1={40} x2={g.width - 34} y1={y.y} y2={y.y} stroke="#eeece5" /><text x={36} y={y.y + 4} textAnchor="end" fontSize={10} fill="#6b7280">{y.label}</text></g>
        ))}
        {g.targets.map((tg) => (
          <g key={tg.label}><line x1={40} x2={g.width - 34} y1={tg.y} y2={tg.y} stroke="#c62828" strokeDasharray="5 3" /><text x={g.width - 36} y={tg.y - 3} textAnchor="end" fontSize={10} fill="#c62828">{tg.label}</text></g>
        ))}
        {g.ticks.map((x) => <text key={x.label} x={x.x} y={g.height - 6} textAnchor="middle" fontSize={10} fill="#6b7280">{x.label}</text>)}
        {g.lines.map((l) => (
          <g key={l.name}>
            <path d={l.path} fill="none" stroke={l.color} strokeWidth={2} />
            {l.dots.map((d, i) => <circle key={i} cx={d.x} cy={d.y} r={3} fill={l.color}><title>{`${l.name} ${pct(d.rate)}`}</title></circle>)}
          </g>
        ))}
      </svg>
      <figcaption className="legend">
        {g.lines.map((l) => <span key={l.name}><i style={{ background: l.color }} /> {l.name}</span>)}
      </figcaption>
    </figure>
  );
}
