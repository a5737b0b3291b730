// Builds the renderer with vite when dist/renderer is missing or older than its sources. A lock folder
// keeps two starters (two e2e tests, say) from building into the same folder at once.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, rmdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Inputs of the renderer bundle, relative to the project root. */
const SOURCES = ['renderer', 'api', 'gis', 'vite.config.ts', 'package-lock.json', 'server/build.ts'];

// Synchronous, like server/bundle.ts's check: a walk of a few hundred files is quicker without a thread-pool round
// trip per file, and nothing else runs while the server starts.
function newestMtime(path: string): number {
  let info;
  try {
    info = statSync(path);
  } catch {
    return 0;
  }
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry.startsWith('.')) continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

/** True when dist/renderer/index.html is missing or older than any source file. */
export async function rendererIsStale(root: string): Promise<boolean> {
  const built = join(root, 'dist', 'renderer', 'index.html');
  if (!existsSync(built)) return true;
  const builtAt = statSync(built).mtimeMs;
  for (const s of SOURCES) if (newestMtime(join(root, s)) > builtAt) return true;
  return false;
}

function runVite(root: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build'], {
      cwd: root,
      // Vite keeps a NODE_ENV it inherits: started from vitest (NODE_ENV=test), the bundle would carry React's
      // development build (slower, effects run twice under StrictMode) into every later start.
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`vite build failed (exit code ${code})`))));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Builds the renderer if needed; returns the assets folder. */
export async function ensureRendererBuilt(root: string, log: (m: string) => void = (m) => console.error(m)): Promise<string> {
  const assets = join(root, 'dist', 'renderer');
  if (!(await rendererIsStale(root))) return assets;
  await mkdir(join(root, 'dist'), { recursive: true });
  const lock = join(root, 'dist', '.renderer-build.lock');
  const started = Date.now();
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch {
      // Someone else is building; a lock older than 10 minutes belongs to a build that died.
      const age = await stat(lock).then((s) => Date.now() - s.mtimeMs, () => 0);
      if (age > 600_000) await rmdir(lock).catch(() => undefined);
      else await sleep(500);
      if (Date.now() - started > 900_000) throw new Error(`Timed out waiting for another renderer build (${lock})`);
    }
  }
  try {
    if (await rendererIsStale(root)) {
      log('Building the renderer (vite build)… 正在构建界面');
      await runVite(root);
    }
  } finally {
    await rmdir(lock).catch(() => undefined);
  }
  return assets;
}
