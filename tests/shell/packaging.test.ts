// electron-builder.yml checked against electron-builder's own schema (packaging itself is never run here).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
// electron-builder's own validation (its scheme.json through ajv), as `electron-builder build` runs it.
const { validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
  validateConfiguration(config: unknown, logger: unknown): Promise<void>;
};
const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
const yaml = require('js-yaml') as { load(text: string): unknown };

type Target = { target: string; arch: string[] };
interface Config {
  extraMetadata: { main: string };
  files: string[];
  asar: boolean;
  asarUnpack: string[];
  npmRebuild: boolean;
  buildDependenciesFromSource: boolean;
  electronFuses: Record<string, boolean>;
  win: { target: Target[] };
  linux: { target: Target[] };
  fileAssociations: { ext: string }[];
}

const config = yaml.load(readFileSync(new URL('../../electron-builder.yml', import.meta.url), 'utf8')) as Config;

describe('electron-builder.yml', () => {
  it('passes electron-builder\'s schema validation', async () => {
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('the validator is real: it rejects unknown or mistyped options', async () => {
    await expect(validateConfiguration({ ...config, bogusOption: 1 }, new DebugLogger(false))).rejects.toThrow(/unknown property 'bogusOption'/);
    await expect(validateConfiguration({ ...config, npmRebuild: 'maybe' }, new DebugLogger(false))).rejects.toThrow(/npmRebuild/);
  });

  it('builds Windows nsis + portable and Linux AppImage + deb, each for x64 and arm64', () => {
    const targets = (list: Target[]) => Object.fromEntries(list.map((t) => [t.target, [...t.arch].sort()]));
    expect(targets(config.win.target)).toEqual({ nsis: ['arm64', 'x64'], portable: ['arm64', 'x64'] });
    expect(targets(config.linux.target)).toEqual({ AppImage: ['arm64', 'x64'], deb: ['arm64', 'x64'] });
  });

  it('rebuilds better-sqlite3 for Electron and unpacks native addons', () => {
    expect(config.npmRebuild).toBe(true);
    expect(config.buildDependenciesFromSource).toBe(true);
    expect(config.asar).toBe(true);
    expect(config.asarUnpack).toContain('**/*.node');
  });

  it('starts the bundled main process and ships the bundles and the renderer', () => {
    expect(config.extraMetadata.main).toBe('dist/electron/main.mjs');
    expect(readFileSync(new URL('../../electron/build.ts', import.meta.url), 'utf8')).toContain("entryPoints: { main: join(ROOT, 'electron', 'main.ts')");
    expect(config.files).toEqual(expect.arrayContaining(['package.json', 'dist/electron/**', 'dist/renderer/**']));
    expect(config.fileAssociations.map((f) => f.ext)).toEqual(['gpkg']);
  });

  it('sets the hardening fuses', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false, enableNodeOptionsEnvironmentVariable: false, enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true, enableEmbeddedAsarIntegrityValidation: true, grantFileProtocolExtraPrivileges: false,
    });
  });
});
