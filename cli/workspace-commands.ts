// Workspace commands: demo, import, layers, and analyze over a workspace. They call the same service the
// app uses, in process.
import type { ImportIssue, ImportRequest, LayerRole } from '../api/contract';
import { LAYER_ROLES } from '../api/contract';
import { writeDemoWorkspace } from '../data/demo-workspace';
import { AtlasService } from '../data/service';
import { Workspace } from '../data/workspace';
import { analysisOptionsFrom, emit, outputFormat, renderReport } from './analyze';
import { ANALYZE_OPTIONS } from './analyze-options';
import { ImportFailed, parseArgs, single, UsageError } from './args';
import { renderTable } from './text-table';

function onePath(positional: string[], what: string): string {
  if (positional.length === 0) throw new UsageError(`${what} is required`);
  if (positional.length > 1) throw new UsageError(`unexpected argument "${positional[1]}"`);
  return positional[0];
}

export async function demoCommand(argv: string[]): Promise<void> {
  const args = parseArgs(argv, { settlements: { value: true }, seed: { value: true } });
  const path = onePath(args.positional, 'WORKSPACE.gpkg');
  const settlements = single(args, 'settlements');
  const seed = single(args, 'seed');
  const started = performance.now();
  await writeDemoWorkspace(path, {
    ...(settlements ? { settlements: Number(settlements) } : {}),
    ...(seed ? { seed: Number(seed) } : {}),
  });
  const ws = Workspace.open(path, { readOnly: true });
  try {
    process.stdout.write(`已生成演示工作空间 (demo workspace written, 演示数据): ${path}\n`);
    process.stdout.write(layersTable(ws) + '\n');
    process.stdout.write(`${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  } finally {
    ws.close();
  }
}

export async function importCommand(argv: string[]): Promise<void> {
  const args = parseArgs(argv, {
    role: { value: true }, crs: { value: true }, map: { value: true, repeat: true }, sheet: { value: true },
    encoding: { value: true }, name: { value: true }, quiet: {},
  });
  if (args.positional.length !== 2) throw new UsageError('expected WORKSPACE.gpkg and one FILE to import');
  const [path, file] = args.positional;
  const role = single(args, 'role') as LayerRole | undefined;
  if (!role || !LAYER_ROLES.includes(role)) throw new UsageError(`--role: found "${role ?? ''}"; expected one of ${LAYER_ROLES.join('|')}`);
  const mapping: Record<string, string> = {};
  for (const m of args.options.map ?? []) {
    const eq = m.indexOf('=');
    if (eq <= 0) throw new UsageError(`--map: found "${m}"; expected field=column, e.g. households=户数`);
    mapping[m.slice(0, eq)] = m.slice(eq + 1);
  }
  const encoding = single(args, 'encoding');
  if (encoding && !['utf8', 'gbk', 'auto'].includes(encoding)) throw new UsageError(`--encoding: found "${encoding}"; expected gbk, utf8 or auto`);
  const request: ImportRequest = {
    file, role, mapping,
    crs: (single(args, 'crs') ?? 'auto') as ImportRequest['crs'],
    ...(single(args, 'sheet') ? { sheet: single(args, 'sheet') } : {}),
    ...(encoding ? { encoding: encoding as ImportRequest['encoding'] } : {}),
    ...(single(args, 'name') ? { name: single(args, 'name') } : {}),
  };
  const service = AtlasService.open(path);
  try {
    const started = performance.now();
    let lastShown = 0;
    const outcome = await service.importLayer(request, (p) => {
      if (args.flags.has('quiet') || performance.now() - lastShown < 500) return;
      lastShown = performance.now();
      const pct = p.fraction === null ? '' : ` ${(p.fraction * 100).toFixed(0)}%`;
      process.stderr.write(`${p.phase} ${p.rows} rows${pct}\n`);
    });
    if (!outcome.ok) {
      process.stderr.write(`输入有误，未写入任何内容 (bad input; nothing was written):\n${outcome.issues.map(formatImportIssue).join('\n')}\n` +
        (outcome.truncated ? '… (more problems not shown)\n' : ''));
      throw new ImportFailed();
    }
    for (const w of outcome.warnings) process.stderr.write(`警告 (warning): ${w}\n`);
    const l = outcome.layer;
    process.stdout.write(`已导入 (imported) ${l.featureCount} features as layer ${l.id} "${l.name}" (${l.role}, ${l.geometryType}) ` +
      `in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  } finally {
    service.close();
  }
}

/** Tables count rows from the header (row 1); feature formats count features from 0. */
function formatImportIssue(i: ImportIssue): string {
  const where = i.row < 0 ? '' : /\.(csv|txt|tsv|xlsx|xls)$/i.test(i.file) ? `row ${i.row}: ` : `feature ${i.row}: `;
  return `${i.file}: ${where}${i.field}: ${i.message}`;
}

function layersTable(ws: Workspace): string {
  const rows = ws.layers().map((l) => [String(l.id), l.name, l.role, l.geometryType, String(l.featureCount),
    l.bbox ? l.bbox.map((v) => v.toFixed(3)).join(',') : '—', l.synthetic ? '演示数据' : '', l.source ?? '']);
  return renderTable(['id', '图层', '角色', '几何', '要素数', '范围', '', '来源'], rows,
    ['right', 'left', 'left', 'left', 'right', 'left', 'left', 'left']);
}

export function layersCommand(argv: string[]): void {
  const args = parseArgs(argv, { format: { value: true } });
  const path = onePath(args.positional, 'WORKSPACE.gpkg');
  const ws = Workspace.open(path, { readOnly: true });
  try {
    if (single(args, 'format') === 'json') process.stdout.write(JSON.stringify(ws.info(), null, 1) + '\n');
    else {
      const info = ws.info();
      process.stdout.write(`${info.name}  (schema v${info.schemaVersion}${info.synthetic ? ', 演示数据' : ''})\n`);
      process.stdout.write(layersTable(ws) + '\n');
    }
  } finally {
    ws.close();
  }
}

export async function analyzeWorkspace(argv: string[], focusOrder: readonly string[]): Promise<void> {
  const args = parseArgs(argv, ANALYZE_OPTIONS);
  const path = onePath(args.positional, 'WORKSPACE.gpkg');
  for (const f of ['settlements', 'mobile', 'broadband'] as const) {
    if (args.options[f]) throw new UsageError(`--${f} reads files; with a workspace the layers come from it`);
  }
  const format = outputFormat(args);
  const service = AtlasService.open(path);
  try {
    const out = single(args, 'out');
    if (format === 'json' && out) await service.writeAnalysisJson(out, analysisOptionsFrom(args));
    else emit(renderReport(await service.analyze(analysisOptionsFrom(args)), format, focusOrder), out);
  } finally {
    service.close();
  }
}
