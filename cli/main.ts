// Coverage Atlas command line: the same operations as the app, for batch runs and scripts.
// Commands are loaded on demand: `analyze` should not pay for pdfkit, exceljs or playwright-core at start-up.
// Nothing of the analysis is imported here: `analyze` starts its workers before loading it (cli/analyze-options.ts).
import { setFlagsFromString } from 'node:v8';
import { waitForSpareBoot } from '../data/crew-start';
import { prestartFileAnalysis, prestartWorkspaceAnalysis } from './analyze-options';
import { ImportFailed, UsageError } from './args';

const USAGE = `覆盖图谱 Coverage Atlas — command line

  analyze --settlements FILE --mobile FILE [--mobile FILE ...] --broadband FILE [--broadband FILE ...]
          [--min-households 25] [--target-mobile 0.95] [--target-broadband 0.75] [--mobile-tech 4G,5G]
          [--format table|json|csv] [--out FILE] [--threads N (default: every core, for inputs over 64 MB)]
  analyze WORKSPACE.gpkg [the same output options]
  demo WORKSPACE.gpkg [--settlements N] [--seed N]       write the demo workspace (演示数据)
  import WORKSPACE.gpkg --role settlements|mobile|broadband|sites|boundaries|listed FILE
          [--crs wgs84|cgcs2000|gcj02|bd09|auto|EPSG:n] [--map households=户数 ...] [--sheet NAME]
          [--encoding gbk|utf8] [--name NAME]
  layers WORKSPACE.gpkg [--format json]                  list layers, roles, counts
  plan WORKSPACE.gpkg (--county NAME | --village NAME) [--towers K | --budget YUAN] [--candidates FILE]
          [--format table|json|geojson]                  builds that reach the targets, cheapest first
  ledger WORKSPACE.gpkg list|add|update|close|history ...  the rectification ledger (整改台账, 销号管理)
  snapshot WORKSPACE.gpkg --label 2020-06|2020年6月 [--date YYYY-MM-DD]
                                                        save the current analysis as the month's snapshot
  report WORKSPACE.gpkg --month 2020-06 --format pdf|xlsx|csv|geojson|gpkg --out FILE
                                                        monthly report (月报) against the previous snapshot;
                                                        pdf: briefing atlas; csv/geojson write one file per table/layer
  map WORKSPACE.gpkg [--county 于都县] [--month 2020-06] [--dpi 72..300] [--paper A3|A4] --out FILE.png|FILE.svg

Exit status: 0 success, 2 bad input or usage (the message names the file, feature, field and what was expected),
1 anything else.`;

type Command = (argv: string[]) => void | Promise<void>;

/**
 * `analyze` runs for about a second on every core, and V8's optimizing compiler took a third of its CPU (~0.55 s of
 * 1.7 s at M, on background threads beside the two JavaScript threads). With a smaller inlining budget, and the
 * worker compiling on its own thread when its code turns hot, M took ~9 % less time and L about the same; a long
 * import took longer, so this is for `analyze` only (bench/RESULTS.md, ninth session). The budget is read at each
 * compilation, concurrent OSR at each on-stack replacement: a long loop of this thread waited in slow code for its
 * OSR job to get a turn on a busy core, and compiled at once M took ~6 % less time (0.65 → 0.61 s, fourteenth
 * session). Single-threaded commands (map, report) are slower with synchronous compilation.
 */
function tuneCompilerForAnalysis(): void {
  setFlagsFromString('--max-inlined-bytecode-size-cumulative=300');
  setFlagsFromString('--no-concurrent-osr');
}

const commands: Record<string, Command> = {
  analyze: async (argv) => {
    // Read when a thread's isolate starts (this thread's keeps concurrent recompilation): set before any worker starts.
    setFlagsFromString('--no-concurrent-recompilation');
    // A workspace as the first argument analyses its layers; otherwise the layers come from --settlements etc.
    const workspace = argv[0] && !argv[0].startsWith('--');
    if (workspace) prestartWorkspaceAnalysis(argv[0]);
    else prestartFileAnalysis(argv);
    const { loadCampaign } = await import('./campaign');
    const campaign = loadCampaign();
    const analyze = workspace
      ? await import('./workspace-commands').then(({ analyzeWorkspace }) => () => analyzeWorkspace(argv, campaign.focusOrder))
      : await import('./analyze').then(({ analyzeFiles }) => () => analyzeFiles(argv, campaign, campaign.focusOrder));
    // Workers prestarted above boot while this thread loads the analysis; their start is slower once flags change.
    waitForSpareBoot();
    tuneCompilerForAnalysis();
    return analyze();
  },
  demo: async (argv) => (await import('./workspace-commands')).demoCommand(argv),
  import: async (argv) => (await import('./workspace-commands')).importCommand(argv),
  layers: async (argv) => (await import('./workspace-commands')).layersCommand(argv),
  plan: async (argv) => (await import('./plan')).planCommand(argv),
  ledger: async (argv) => (await import('./ledger')).ledgerCommand(argv),
  snapshot: async (argv) => (await import('./report')).snapshotCommand(argv),
  report: async (argv) => (await import('./report')).reportCommand(argv),
  map: async (argv) => (await import('./report')).mapCommand(argv),
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(USAGE + '\n');
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`unknown command "${name}"\n\n${USAGE}\n`);
    return 2;
  }
  try {
    await command(rest);
    return 0;
  } catch (e) {
    if (e instanceof ImportFailed) return 2;
    const { InputError } = await import('../gis');
    if (e instanceof InputError) {
      process.stderr.write(`输入有误 (bad input):\n${e.message}\n`);
      return 2;
    }
    if (e instanceof UsageError || e instanceof RangeError) {
      process.stderr.write(`${name}: ${e.message}\n\n${USAGE}\n`);
      return 2;
    }
    process.stderr.write(`${name} failed: ${(e as Error).message}\n`);
    return 1;
  }
}

/**
 * Ends the process once stdout and stderr have flushed. `analyze` has awaited all its work (its report written
 * with synchronous writes, its workers' parts done) when it returns, and left alone Node would wait for the crew
 * worker's thread to exit and then free its own heap piece by piece: ~7 ms of M's 0.55 s (bench/RESULTS.md,
 * twenty-first session). process.exit still joins the workers, so none is cut short.
 */
function exitWhenFlushed(code: number): void {
  let open = 2;
  const flushed = () => {
    if (--open === 0) process.exit(code);
  };
  process.stdout.write('', flushed);
  process.stderr.write('', flushed);
}

const argv = process.argv.slice(2);
main(argv).then((code) => {
  if (argv[0] === 'analyze') exitWhenFlushed(code);
  else process.exitCode = code;
});
