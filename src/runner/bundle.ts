/**
 * The browser bundle the headless page loads (src/browser/entry.ts and what it imports, shaders
 * inlined via ?raw). The package ships it prebuilt (`npm run build`); in a checkout of the sources
 * it is rebuilt with Vite whenever a source or shader is newer than it, so the page never runs
 * stale WGSL.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PerifatError } from '../errors';
import { BROWSER_BUNDLE, BROWSER_BUNDLE_DIR, FROM_SOURCES, PROJECT_ROOT } from './paths';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

export function bundleIsFresh(): boolean {
  if (!existsSync(BROWSER_BUNDLE)) return false;
  const built = statSync(BROWSER_BUNDLE).mtimeMs;
  return newestMtime(resolve(PROJECT_ROOT, 'src')) <= built && newestMtime(resolve(PROJECT_ROOT, 'shaders')) <= built;
}

export async function ensureBrowserBundle(): Promise<string> {
  if (!FROM_SOURCES) {
    if (existsSync(BROWSER_BUNDLE)) return BROWSER_BUNDLE;
    throw new PerifatError(
      'E_RUNTIME',
      `the package's browser bundle is missing (${BROWSER_BUNDLE}); reinstall perifat`,
    );
  }
  if (bundleIsFresh()) return BROWSER_BUNDLE;
  const { build } = await import('vite');
  mkdirSync(resolve(PROJECT_ROOT, 'dist'), { recursive: true });
  const tmp = mkdtempSync(join(PROJECT_ROOT, 'dist', '.browser-'));
  try {
    await build({
      configFile: false,
      root: PROJECT_ROOT,
      logLevel: 'warn',
      build: {
        outDir: tmp,
        emptyOutDir: true,
        target: 'es2022',
        minify: false,
        sourcemap: false,
        lib: { entry: resolve(PROJECT_ROOT, 'src/browser/entry.ts'), formats: ['es'], fileName: () => 'perifat.js' },
      },
    });
    // Swap in whole: a concurrent reader sees the old bundle or the new one, never half of one.
    rmSync(BROWSER_BUNDLE_DIR, { recursive: true, force: true });
    renameSync(tmp, BROWSER_BUNDLE_DIR);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return BROWSER_BUNDLE;
}
