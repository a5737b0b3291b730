// `analyze`'s options, and the workers an analysis will use started before the analysis loads: this module
// loads nothing of the analysis (cli/main.ts calls it first).
import { crewWorkerCount, prestartCrewWorkers } from '../data/crew-start';
import { numberOption, parseArgs, single, type ParsedArgs } from './args';

export const ANALYZE_OPTIONS = {
  settlements: { value: true },
  mobile: { value: true, repeat: true },
  broadband: { value: true, repeat: true },
  'min-households': { value: true },
  'target-mobile': { value: true },
  'target-broadband': { value: true },
  'mobile-tech': { value: true },
  format: { value: true },
  out: { value: true },
} as const;

/** Reading files (not a workspace), the work may also be spread over threads. */
export const FILE_ANALYZE_OPTIONS = { ...ANALYZE_OPTIONS, threads: { value: true } } as const;

export function threadsOption(args: ParsedArgs): number | undefined {
  return numberOption(args, 'threads', (n) => Number.isInteger(n) && n >= 1 && n <= 64, 'a whole number from 1 to 64');
}

/**
 * Starts the first worker a first analysis of a big workspace will use (as prestartFileAnalysis does for files: the
 * workspace's size counted as one input's; the others, on machines with more cores, start when the analysis needs
 * them). A workspace whose coverage masks are cached needs none: the spare is never taken then, and does not keep the
 * process alive.
 */
export function prestartWorkspaceAnalysis(path: string): void {
  prestartCrewWorkers(crewWorkerCount([path], 1));
}

/**
 * Starts the workers an analysis of files with these arguments will use (data/crew-start.ts): they boot on the idle
 * cores while this thread loads the analysis. Arguments it cannot read start none; the analysis reports them.
 */
export function prestartFileAnalysis(argv: readonly string[]): void {
  try {
    const args = parseArgs(argv, FILE_ANALYZE_OPTIONS);
    const settlements = single(args, 'settlements');
    const coverage = [...(args.options.mobile ?? []), ...(args.options.broadband ?? [])];
    if (args.positional.length || !settlements || !coverage.length) return;
    prestartCrewWorkers(crewWorkerCount([settlements, ...coverage], coverage.length, threadsOption(args)));
  } catch {
    // Bad arguments: the analysis says what is wrong.
  }
}
