// Lint, including the process-layer rule: each folder may import only from the layers below it.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const forbid = (groups, message) => ({ group: groups, message });

/** One entry per layer: which import specifiers it must never use. */
const layers = {
  gis: [
    forbid(nodeBuiltins, 'gis/ is the pure analysis core: no Node built-ins.'),
    forbid(['electron', 'react', 'react-dom', 'maplibre-gl', 'better-sqlite3'], 'gis/ depends on no runtime.'),
    forbid(['**/data/**', '**/electron/**', '**/renderer/**', '**/cli/**', '**/seeds/**', '**/server/**', '**/api/**'],
      'gis/ imports nothing from the other folders.'),
  ],
  api: [
    forbid(nodeBuiltins, 'api/ is a transport-neutral contract: no Node built-ins.'),
    forbid(['electron', 'better-sqlite3', '**/data/**', '**/electron/**', '**/renderer/**', '**/cli/**', '**/server/**'],
      'api/ holds types and pure helpers only.'),
  ],
  renderer: [
    forbid(nodeBuiltins, 'renderer/ runs in a sandboxed page: no Node built-ins.'),
    forbid(['electron', 'better-sqlite3', '**/data/**', '**/electron/**', '**/cli/**', '**/server/**'],
      'renderer/ reaches the back end only through the typed API (api/).'),
  ],
  electron: [
    forbid(['react', 'react-dom', 'maplibre-gl', '**/renderer/**'], 'electron/ is the shell; the UI lives in renderer/.'),
  ],
  data: [
    forbid(['electron', 'react', 'react-dom', 'maplibre-gl', '**/renderer/**', '**/electron/**', '**/cli/**', '**/server/**'],
      'data/ is Node only and below the shells.'),
  ],
  seeds: [
    forbid(['electron', 'react', 'react-dom', 'maplibre-gl', '**/renderer/**', '**/electron/**', '**/cli/**', '**/server/**'],
      'seeds/ holds data and the demo generator.'),
  ],
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.cache/**', 'bench/data/**', 'tests/**/out/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { console: 'readonly', process: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  ...Object.entries(layers).map(([folder, patterns]) => ({
    files: [`${folder}/**/*.{ts,tsx,js,mjs}`],
    rules: { 'no-restricted-imports': ['error', { patterns }] },
  })),
);
