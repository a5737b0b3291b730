// `npm run serve [-- --port N] [WORKSPACE.gpkg]`: browser mode on http://127.0.0.1:PORT/.
// Builds the renderer first when it is missing or stale (skip with --no-build).
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startAtlasHost } from '../data/host';
import { ensureRendererBuilt } from './build';
import { DEFAULT_PORT, startServer } from './server';

/** The project folder, from server/ in source or dist/server/ when bundled. */
function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`No package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
  return dir;
}

const USAGE = `Usage: npm run serve -- [--port N] [--no-build] [WORKSPACE.gpkg]
  --port N     port on 127.0.0.1 (default ${DEFAULT_PORT}; 0 picks a free one)
  --no-build   serve dist/renderer as it is
  WORKSPACE    a .gpkg workspace (default: the demo workspace, generated on first use)`;

export interface ServeArgs {
  port: number;
  build: boolean;
  workspace?: string;
}

export function parseServeArgs(argv: readonly string[]): ServeArgs {
  const out: ServeArgs = { port: DEFAULT_PORT, build: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--port' || a.startsWith('--port=')) {
      const v = a === '--port' ? argv[++i] : a.slice('--port='.length);
      const port = Number(v);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port expects an integer 0–65535, got "${v}"\n${USAGE}`);
      out.port = port;
    } else if (a === '--no-build') out.build = false;
    else if (a === '--help' || a === '-h') throw new Error(USAGE);
    else if (a.startsWith('-')) throw new Error(`Unknown option ${a}\n${USAGE}`);
    else if (out.workspace) throw new Error(`Only one workspace may be given (got "${out.workspace}" and "${a}")\n${USAGE}`);
    else out.workspace = resolve(a);
  }
  return out;
}

/** Starts browser mode; `argv` as after the script name. Exits the process on SIGINT/SIGTERM. */
export async function main(argv: string[]): Promise<void> {
  const ROOT = projectRoot();
  let args: ServeArgs;
  try {
    args = parseServeArgs(argv);
  } catch (err) {
    console.error((err as Error).message);
    process.exit(2);
  }
  const assetsDir = args.build ? await ensureRendererBuilt(ROOT) : resolve(ROOT, 'dist', 'renderer');
  const host = await startAtlasHost({ workspace: args.workspace });
  let server;
  try {
    server = await startServer({ api: host, assetsDir, port: args.port });
  } catch (err) {
    await host.close();
    if ((err as { code?: string }).code === 'EADDRINUSE') {
      throw new Error(`端口 ${args.port} 已被占用 Port ${args.port} on 127.0.0.1 is in use: pass --port N, or --port 0 for a free one`, { cause: err });
    }
    throw err;
  }
  console.log(`Coverage Atlas 覆盖图谱: ${server.url}`);
  console.log(`工作空间 Workspace: ${(await host.workspace()).path}`);

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    console.error(`${signal}: closing… 正在关闭`);
    await server.close().catch(() => undefined);
    await host.close().catch(() => undefined);
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGHUP', () => void shutdown('SIGHUP'));
}

/** main() with failures printed (no stack) and a non-zero exit. */
export function startCli(argv: string[]): void {
  main(argv).catch((err: unknown) => {
    console.error(`Coverage Atlas server failed to start 启动失败: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) startCli(process.argv.slice(2));
