// Bundles the browser code of the pages (apps/web: the desktop, admin and device sign-in pages) with the SDK and
// socket.io-client into dist/web, served by the app under /assets.
// `npm run build` and the test setup both call it; nothing it writes is committed.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export async function buildWeb({ outdir = resolve(root, 'dist/web') } = {}) {
  await build({
    absWorkingDir: root,
    entryPoints: { desktop: 'apps/web/src/desktop-page.ts', admin: 'apps/web/src/admin-page.ts', device: 'apps/web/src/device-page.ts' },
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    outdir,
    minify: true,
    sourcemap: true,
    tsconfig: 'apps/web/tsconfig.json',
    logLevel: 'warning',
  });
}

// No top-level await: the test setup loads this file with require().
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  buildWeb().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
