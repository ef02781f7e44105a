/**
 * The browser bundle the headless page loads (src/platform/page/entry.ts and what it imports,
 * WGSL inlined via ?raw). The package ships it prebuilt (`npm run build`); in a checkout of the
 * sources it is rebuilt with Vite whenever a source is newer than it, so the page never runs stale
 * WGSL. Another entry (the test page of test/harness/page) is built the same way into its own folder.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { PerifatError } from '../../errors';
import { BROWSER_BUNDLE, FROM_SOURCES, PROJECT_ROOT } from './paths';

/** A page to build: its entry module, the bundle file it becomes, and the source folders it reads. */
export interface PageBuild {
  readonly entry: string;
  readonly bundle: string;
  readonly sources: readonly string[];
}

/** The page the runner ships: the product's jobs only. */
export const PRODUCT_PAGE: PageBuild = {
  entry: resolve(PROJECT_ROOT, 'src/platform/page/entry.ts'),
  bundle: BROWSER_BUNDLE,
  sources: [resolve(PROJECT_ROOT, 'src')],
};

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

export function bundleIsFresh(page: PageBuild = PRODUCT_PAGE): boolean {
  if (!existsSync(page.bundle)) return false;
  const built = statSync(page.bundle).mtimeMs;
  return page.sources.every((dir) => newestMtime(dir) <= built);
}

export async function ensureBrowserBundle(page: PageBuild = PRODUCT_PAGE): Promise<string> {
  if (!FROM_SOURCES && page === PRODUCT_PAGE) {
    if (existsSync(BROWSER_BUNDLE)) return BROWSER_BUNDLE;
    throw new PerifatError(
      'E_RUNTIME',
      `the package's browser bundle is missing (${BROWSER_BUNDLE}); reinstall perifat`,
    );
  }
  if (bundleIsFresh(page)) return page.bundle;
  const { build } = await import('vite');
  const outDir = dirname(page.bundle);
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
        lib: { entry: page.entry, formats: ['es'], fileName: () => 'perifat.js' },
      },
    });
    // Swap in whole: a concurrent reader sees the old bundle or the new one, never half of one.
    rmSync(outDir, { recursive: true, force: true });
    renameSync(tmp, outDir);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return page.bundle;
}
