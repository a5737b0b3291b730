// What the benchmark scripts share: their options, a timed child process (wall clock here, CPU and peak RSS from
// /usr/bin/time -v), best of n, and the demo generator's data at S/M/L, written once into a folder and reused.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_PRESETS, writeDemoFiles } from '../seeds/demo';

export type Size = keyof typeof DEMO_PRESETS;
export const SEED = 2020;

export interface Measure {
  seconds: number;
  cpuSeconds: number | null;
  peakMB: number | null;
  /** 1-minute load average just before the run. */
  load: number;
  output: string;
  errors: string;
}

/** The value after `--name` on the command line. */
export function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
}

/** Set for child processes (postgis_job.py) when the bench runs at high priority, so that they raise their own. */
export const PRIORITY_ENV = 'ATLAS_BENCH_PRIORITY';

/**
 * `--priority high`: the bench's session gets the scheduler's highest share (Linux autogroup nice -20; needs
 * root), so that other work on a shared machine disturbs the figures less. Applies to every child in the session;
 * children that start sessions of their own are raised too (raiseSession; postgis_job.py for its server).
 * Returns what the results should say about scheduling.
 */
export function applyPriority(): string {
  if (option('priority') !== 'high') return 'normal priority';
  try {
    writeFileSync('/proc/self/autogroup', '-20');
    process.env[PRIORITY_ENV] = '1';
    return 'high priority (autogroup nice -20 for the bench and its children, the PostgreSQL server, the browser-mode server and Chromium included)';
  } catch (e) {
    return `normal priority (--priority high failed: ${(e as Error).message})`;
  }
}

/**
 * With --priority high, raises the session that `pid` leads (a detached child: the browser-mode server, Chromium)
 * as the bench's own: a process that starts a session of its own leaves the bench's autogroup.
 */
export function raiseSession(pid: number | undefined): void {
  if (process.env[PRIORITY_ENV] !== '1' || pid === undefined) return;
  try {
    writeFileSync(`/proc/${pid}/autogroup`, '-20');
  } catch (e) {
    process.stderr.write(`bench: could not raise the priority of process ${pid}: ${(e as Error).message}\n`);
  }
}

/** Processes named `name` that this process started (pgrep; none where it is missing). */
export function childPids(name: string): number[] {
  const r = spawnSync('pgrep', ['-P', String(process.pid), name], { encoding: 'utf8' });
  return (r.stdout ?? '').split('\n').filter(Boolean).map(Number);
}

export function loadAvg(): number {
  return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
}

/**
 * Reads every existing file among `paths` once, so that a timed run finds it in the page cache. This VM pages out
 * file pages left idle for 60 s (DAMON's proactive reclaim: kdamond, action "pageout" for unmapped pages of age
 * ≥ 12 × 5 s, up to 128 MB/s), so the first of three runs after another step read its inputs from disk in part and
 * was the slow one (`analyze` L from files: 3.04 s against 2.89 and 2.97 s; read first, 2.82–2.88 s).
 */
function warmFiles(paths: readonly string[]): void {
  const buffer = Buffer.allocUnsafe(8 << 20);
  for (const path of paths) {
    let fd: number;
    try {
      if (!statSync(path).isFile()) continue;
      fd = openSync(path, 'r');
    } catch {
      continue;
    }
    try {
      while (readSync(fd, buffer, 0, buffer.length, null) > 0);
    } finally {
      closeSync(fd);
    }
  }
}

/**
 * Writes every dirty page out (sync(1)). The kernel writes a page out ~30 s after it was dirtied, so that a timed run
 * right after a step that wrote hundreds of MB (the generated 300 MB file, the layer imports) would share the cores
 * and the disk with that writeback.
 */
function settleWrites(): void {
  spawnSync('sync');
}

/** Before a timed run: dirty pages written out (settleWrites), then the existing files among `paths` read (warmFiles). */
export function prepareRun(paths: readonly string[]): void {
  settleWrites();
  warmFiles(paths);
}

/** Runs `cmd args` to the end, after prepareRun(args); throws with its stderr when it fails. */
export function measure(cmd: string, args: string[], env?: NodeJS.ProcessEnv): Measure {
  prepareRun(args);
  const load = loadAvg();
  const timed = existsSync('/usr/bin/time');
  const start = process.hrtime.bigint();
  const r = spawnSync(timed ? '/usr/bin/time' : cmd, timed ? ['-v', cmd, ...args] : args, { encoding: 'utf8', maxBuffer: 1 << 28, env });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stderr.slice(-2000)}`);
  const peak = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
  const user = /User time \(seconds\): ([\d.]+)/.exec(r.stderr), sys = /System time \(seconds\): ([\d.]+)/.exec(r.stderr);
  const cpuSeconds = user && sys ? Number(user[1]) + Number(sys[1]) : null;
  return { seconds, cpuSeconds, peakMB: peak ? Number(peak[1]) / 1024 : null, load, output: r.stdout, errors: r.stderr };
}

/** The fastest of `runs` measurements. */
export function best(runs: number, f: () => Measure): Measure {
  return everyRun(runs, f).best;
}

/**
 * Every one of `runs` runs: the best, and the slowest one's seconds (for goals about every run). With `label`, the
 * runs' times are logged in the order they ran, so that a slow one can be told from a slow first one.
 */
export function everyRun(runs: number, f: () => Measure, label?: string): { best: Measure; slowest: number } {
  return summarize(Array.from({ length: runs }, f), label);
}

/** everyRun() of runs already made (interleaved with other jobs' runs, say). */
export function summarize(all: readonly Measure[], label?: string): { best: Measure; slowest: number } {
  if (label) process.stderr.write(`  ${label}: ${all.map((m) => `${m.seconds.toFixed(2)} s (load ${m.load.toFixed(2)})`).join(', ')}\n`);
  return { best: fastest(all), slowest: Math.max(...all.map((m) => m.seconds)) };
}

/** The fastest of some runs. */
export function fastest(all: readonly Measure[]): Measure {
  if (!all.length) throw new Error('fastest: no runs');
  return all.reduce((a, b) => (b.seconds < a.seconds ? b : a));
}

/** The demo files of one size under dataDir/<size>/, generated on first use; a marker records their options. */
export async function demoFiles(dataDir: string, size: Size) {
  const dir = join(dataDir, size);
  const marker = join(dir, 'options.json');
  const options = { seed: SEED, ...DEMO_PRESETS[size] };
  if (!existsSync(marker) || readFileSync(marker, 'utf8') !== JSON.stringify(options)) {
    process.stderr.write(`generating ${size} demo data into ${dir} …\n`);
    await writeDemoFiles(dir, options);
    writeFileSync(marker, JSON.stringify(options));
  }
  const mobile = ['CMCC', 'CT', 'CU'].map((op) => join(dir, `mobile-${op}.geojson`));
  const settlements = join(dir, 'settlements.geojson');
  const broadband = join(dir, 'broadband.geojson');
  const bytes = [settlements, ...mobile, broadband].reduce((sum, f) => sum + statSync(f).size, 0);
  return { settlements, mobile, broadband, bytes };
}
