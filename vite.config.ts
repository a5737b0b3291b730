// Builds the UI (renderer/) into dist/renderer/. Relative base so the same files load under app:// and http.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  root: fileURLToPath(new URL('./renderer', import.meta.url)),
  base: './',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./dist/renderer', import.meta.url)),
    emptyOutDir: true,
    // maplibre alone is ~1 MB; the warning would only repeat that.
    chunkSizeWarningLimit: 2500,
    // CSP forbids inline scripts; keep every asset a separate file.
    assetsInlineLimit: 0,
  },
});
