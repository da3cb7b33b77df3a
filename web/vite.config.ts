/**
 * The pages' build (`npm run build:web` → web/dist, git-ignored): two Vite entries on one origin,
 * the storefront at `/` (index.html) and the admin console at `/admin/` (admin/index.html).
 * JSX is compiled by Vite's own oxc transform for Preact (no Babel preset).
 *
 * The `build-inputs` plugin writes dist/.build-inputs.json: every source file that went into the
 * bundle (plus this config and the lockfile) with a hash of their contents, so `npm start`
 * (lib/local/static.ts) can tell exactly when the build is stale. Nothing else lives here.
 */
import { relative, resolve } from 'node:path';
import { defineConfig, type Plugin } from 'vite';
import { BUILD_INPUTS_FILE, hashInputs } from '../lib/local/web-build.ts';

const WEB = import.meta.dirname;
const ROOT = resolve(WEB, '..');
/** Inputs that are not modules of the bundle but change it. */
const EXTRA_INPUTS = ['web/vite.config.ts', 'lib/local/web-build.ts', 'package-lock.json', 'web/tsconfig.json'];

function buildInputs(): Plugin {
  return {
    name: 'build-inputs',
    apply: 'build',
    generateBundle() {
      const files = new Set(EXTRA_INPUTS);
      for (const id of this.getModuleIds()) {
        const path = id.split('?')[0]!;
        if (!path.startsWith(ROOT) || path.includes('/node_modules/')) continue;
        files.add(relative(ROOT, path));
      }
      const list = [...files].sort();
      this.emitFile({
        type: 'asset',
        fileName: BUILD_INPUTS_FILE,
        source: JSON.stringify({ files: list, hash: hashInputs(ROOT, list) }, null, 1),
      });
    },
  };
}

export default defineConfig({
  root: WEB,
  // Assets are addressed from the site's root in both pages (the console lives at /admin/).
  base: '/',
  publicDir: resolve(WEB, 'public'),
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  plugins: [buildInputs()],
  build: {
    outDir: resolve(WEB, 'dist'),
    emptyOutDir: true,
    target: 'es2022',
    // No inline <script> (the CSP has no 'unsafe-inline'): Vite's modulepreload polyfill is not needed
    // by the browsers the pages support.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    rolldownOptions: {
      input: {
        storefront: resolve(WEB, 'index.html'),
        admin: resolve(WEB, 'admin/index.html'),
      },
    },
  },
  server: { fs: { allow: [ROOT] } },
});
