// `ledger`: the rectification ledger (整改台账) of a workspace: list, add (from blind spots), update, close
// on evidence, and each item's audit trail.
import { Ledger, MEASURES, STATUSES, type CloseEvidence, type LedgerItem, type Measure, type Status } from '../data/ledger';
import { AtlasService } from '../data/service';
import { Workspace } from '../data/workspace';
import { normalizeOperator, type AnalysisReport, type Operator } from '../gis';
import { parseArgs, single, UsageError, numberOption, type ParsedArgs } from './args';
import { renderTable } from './text-table';

const LEDGER_OPTIONS = {
  status: { value: true }, overdue: {}, format: { value: true },
  settlement: { value: true, repeat: true }, 'blind-spots': {}, county: { value: true }, limit: { value: true },
  measure: { value: true }, responsible: { value: true }, deadline: { value: true }, operator: { value: true },
  who: { value: true }, 'by-analysis': {}, 'field-date': { value: true }, 'field-person': { value: true }, measurement: { value: true },
} as const;

export async function ledgerCommand(argv: string[]): Promise<void> {
  const args = parseArgs(argv, LEDGER_OPTIONS);
  const [path, action, ...rest] = args.positional;
  if (!path || !action) throw new UsageError('expected WORKSPACE.gpkg list|add|update|close|history …');
  const format = single(args, 'format') ?? 'table';
  if (format !== 'table' && format !== 'json') throw new UsageError(`--format: found "${format}"; expected table or json`);
  switch (action) {
    case 'list': return listItems(path, args, format, rest);
    case 'history': return history(path, oneItem(rest), format);
    case 'add': return addItems(path, args, rest, format);
    case 'update': return updateItem(path, oneItem(rest), args, format);
    case 'close': return closeItem(path, oneItem(rest), args, format);
    default: throw new UsageError(`unknown ledger action "${action}"; expected list, add, update, close or history`);
  }
}

function oneItem(rest: string[]): string {
  if (rest.length !== 1) throw new UsageError(rest.length ? `unexpected argument "${rest[1]}"` : 'expected the item id (e.g. ZG-S012954-01)');
  return rest[0];
}

function who(args: ParsedArgs): string {
  const w = single(args, 'who');
  if (!w || !w.trim()) throw new UsageError('--who NAME is required: every change records who made it');
  return w;
}

function operatorOption(args: ParsedArgs): Operator | null | undefined {
  const raw = single(args, 'operator');
  if (raw === undefined) return undefined;
  if (raw === '' || raw === '无') return null;
  const op = normalizeOperator(raw);
  if (!op) throw new UsageError(`--operator: found "${raw}"; expected 移动/电信/联通 or CMCC/CT/CU`);
  return op;
}

function measureOption(args: ParsedArgs): Measure | undefined {
  const m = single(args, 'measure');
  if (m !== undefined && !(MEASURES as readonly string[]).includes(m)) throw new UsageError(`--measure: found "${m}"; expected ${MEASURES.join('|')}`);
  return m as Measure | undefined;
}

/** Runs the analysis through the service (the same numbers as `analyze`), then releases the workspace. */
async function analysis(path: string): Promise<{ report: AnalysisReport; at: string }> {
  const service = AtlasService.open(path);
  try {
    const report = await service.analyze();
    return { report, at: new Date().toISOString() };
  } finally {
    service.close();
  }
}

function withLedger<T>(path: string, readOnly: boolean, fn: (ledger: Ledger) => T): T {
  const ws = Workspace.open(path, { readOnly });
  try {
    if (!readOnly && ws.readOnly) throw new UsageError(`${path}: 工作空间只读，不能修改台账 (${ws.readOnlyReason ?? 'read-only'})`);
    return fn(new Ledger(ws.sqlite()));
  } finally {
    ws.close();
  }
}

function listItems(path: string, args: ParsedArgs, format: string, rest: string[]): void {
  if (rest.length) throw new UsageError(`unexpected argument "${rest[0]}"`);
  const status = single(args, 'status');
  if (status !== undefined && !(STATUSES as readonly string[]).includes(status)) throw new UsageError(`--status: found "${status}"; expected ${STATUSES.join('|')}`);
  const items = withLedger(path, true, (l) => l.list({ status: status as Status | undefined, overdue: args.flags.has('overdue') }));
  process.stdout.write(format === 'json' ? JSON.stringify(items) + '\n' : itemsTable(items));
}

function itemsTable(items: LedgerItem[]): string {
  const rows = items.map((i) => [i.itemId, i.settlementId, i.operator ?? '', i.measure, i.responsible, i.deadline ?? '', i.status,
    i.overdue ? '逾期' : '', i.evidence.map((e) => (e.kind === 'field' ? `现场核查 ${e.date} ${e.person}：${e.measurement}` : `分析复核 ${e.analyzedAt.slice(0, 10)}`)).join('；')]);
  const open = items.filter((i) => i.status !== '已销号').length;
  return renderTable(['条目', '聚居区', '运营商', '整改措施', '责任人', '完成时限', '状态', '逾期', '销号依据'], rows,
    ['left', 'left', 'left', 'left', 'left', 'left', 'left', 'left', 'left']) +
    `\n共 ${items.length} 条，未销号 ${open} 条，逾期 ${items.filter((i) => i.overdue).length} 条\n`;
}

function history(path: string, itemId: string, format: string): void {
  const rows = withLedger(path, true, (l) => l.history(itemId));
  if (format === 'json') {
    process.stdout.write(JSON.stringify(rows) + '\n');
    return;
  }
  const short = (v: string | null) => (v === null ? '' : v.length > 60 ? `${v.slice(0, 57)}…` : v);
  process.stdout.write(renderTable(['时间', '操作人', '字段', '原值', '新值'],
    rows.map((r) => [r.at, r.who, r.field, short(r.before), short(r.after)]), ['left', 'left', 'left', 'left', 'left']) + '\n');
}

async function addItems(path: string, args: ParsedArgs, rest: string[], format: string): Promise<void> {
  if (rest.length) throw new UsageError(`unexpected argument "${rest[0]}"`);
  const author = who(args);
  const measure = measureOption(args);
  if (!measure) throw new UsageError(`--measure is required: ${MEASURES.join('|')}`);
  const responsible = single(args, 'responsible');
  if (!responsible) throw new UsageError('--responsible NAME is required');
  const ids = args.options.settlement ?? [];
  const bulk = args.flags.has('blind-spots');
  if (bulk === (ids.length > 0)) throw new UsageError('give --settlement ID (repeatable) or --blind-spots [--county NAME] [--limit N]');
  const limit = numberOption(args, 'limit', (n) => Number.isInteger(n) && n >= 1, 'a whole number ≥ 1');
  const county = single(args, 'county');
  const { report } = await analysis(path);
  const byId = new Map(report.settlements.map((s) => [s.id, s]));
  let chosen: string[];
  if (bulk) {
    if (county && !report.rates.counties[county]) throw new UsageError(`--county: found "${county}"; expected one of ${Object.keys(report.rates.counties).join(', ')}`);
    const gaps = report.settlements.filter((s) => s.eligible && (!s.mobile || !s.broadband) && (!county || s.county === county) &&
      (measure !== '新建基站' || !s.mobile) && (measure !== '光纤延伸' || !s.broadband));
    gaps.sort((a, b) => b.households - a.households || a.id.localeCompare(b.id));
    chosen = gaps.map((s) => s.id);
  } else {
    for (const id of ids) {
      const s = byId.get(id);
      if (!s) throw new UsageError(`--settlement: "${id}" is not a settlement of ${path}`);
      if (s.mobile && s.broadband) throw new UsageError(`--settlement: ${id} (${s.name}) already has 4G and broadband; not a blind spot`);
    }
    chosen = ids;
  }
  const operator = operatorOption(args);
  const added = withLedger(path, false, (l) => {
    const open = new Set(l.list().filter((i) => i.status !== '已销号' && i.measure === measure).map((i) => i.settlementId));
    const fresh = chosen.filter((id) => !open.has(id)).slice(0, limit ?? Infinity);
    return l.addMany(fresh.map((settlementId) => ({
      settlementId, measure, responsible, operator, deadline: single(args, 'deadline') ?? null,
    })), author);
  });
  process.stdout.write(format === 'json' ? JSON.stringify(added) + '\n' : `已建档 ${added.length} 条（同一措施未销号的聚居区不重复建档）\n${itemsTable(added)}`);
}

function updateItem(path: string, itemId: string, args: ParsedArgs, format: string): void {
  const author = who(args);
  const status = single(args, 'status');
  if (status === '已销号') throw new UsageError('--status 已销号: 销号须提供证据，请用 ledger close (closing needs evidence)');
  if (status !== undefined && status !== '待整改' && status !== '整改中') throw new UsageError(`--status: found "${status}"; expected 待整改 or 整改中`);
  const operator = operatorOption(args);
  const measure = measureOption(args);
  const patch = {
    ...(status ? { status: status as '待整改' | '整改中' } : {}), ...(measure ? { measure } : {}), ...(operator !== undefined ? { operator } : {}),
    ...(single(args, 'responsible') !== undefined ? { responsible: single(args, 'responsible') } : {}),
    ...(single(args, 'deadline') !== undefined ? { deadline: single(args, 'deadline') || null } : {}),
  };
  if (Object.keys(patch).length === 0) throw new UsageError('nothing to change: give --status, --measure, --responsible, --deadline or --operator');
  const item = withLedger(path, false, (l) => l.update(itemId, patch, author));
  process.stdout.write(format === 'json' ? JSON.stringify(item) + '\n' : itemsTable([item]));
}

async function closeItem(path: string, itemId: string, args: ParsedArgs, format: string): Promise<void> {
  const author = who(args);
  const byAnalysis = args.flags.has('by-analysis');
  const field = ['field-date', 'field-person', 'measurement'].filter((k) => single(args, k) !== undefined);
  if (byAnalysis === (field.length > 0)) {
    throw new UsageError('销号须提供证据 (closing needs evidence): --by-analysis, or --field-date YYYY-MM-DD --field-person NAME --measurement TEXT');
  }
  let evidence: CloseEvidence;
  if (byAnalysis) {
    const settlementId = withLedger(path, true, (l) => l.get(itemId).settlementId);
    const { report, at } = await analysis(path);
    const settlement = report.settlements.find((s) => s.id === settlementId);
    if (!settlement) throw new UsageError(`${itemId}: settlement ${settlementId} is no longer in the workspace's settlements`);
    evidence = { kind: 'analysis', settlement, analyzedAt: at };
  } else {
    evidence = { kind: 'field', date: single(args, 'field-date') ?? '', person: single(args, 'field-person') ?? '', measurement: single(args, 'measurement') ?? '' };
  }
  const item = withLedger(path, false, (l) => l.close(itemId, evidence, author));
  process.stdout.write(format === 'json' ? JSON.stringify(item) + '\n' : `已销号 ${item.itemId}\n${itemsTable([item])}`);
}
