import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

const page = (name: string) => fileURLToPath(new URL(`${name}/index.html`, import.meta.url));

/** One entry per page, served by the api from web/dist (docs/web.md). */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [vue()],
  define: { __VUE_OPTIONS_API__: 'false', __VUE_PROD_DEVTOOLS__: 'false', __INTLIFY_PROD_DEVTOOLS__: 'false' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    reportCompressedSize: false,
    // ECharts makes the officer's page larger; the display's budget is measured in tests/web (docs/web.md).
    chunkSizeWarningLimit: 800,
    rollupOptions: {
      input: {
        display: page('display'),
        officer: page('officer'),
        regulator: page('regulator'),
        staff: page('staff'),
        // The staff page's service worker: a fixed name at the root (its scope is /staff), not a hashed asset.
        'staff-sw': fileURLToPath(new URL('staff/sw.ts', import.meta.url)),
      },
      output: { entryFileNames: (chunk) => (chunk.name === 'staff-sw' ? '[name].js' : 'assets/[name]-[hash].js') },
    },
  },
});
