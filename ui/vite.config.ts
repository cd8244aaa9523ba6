import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// The UI is served by `bosun serve` and embedded in the desktop app: relative asset paths, no
// inline scripts or styles (the CSP forbids them), no dev server in production.
export default defineConfig({
  plugins: [svelte()],
  base: './',
  publicDir: 'public',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    cssCodeSplit: false,
  },
});
