/**
 * Where the package lives on disk, found from this module so cwd does not matter: from the sources
 * (src/platform/node/paths.ts) or from a built bundle (dist/cli.js, dist/node.js).
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(import.meta.url);
/** True when running the TypeScript sources (a checkout), false in the built package. */
export const FROM_SOURCES = here.endsWith('.ts');
export const PROJECT_ROOT = resolve(dirname(here), ...(FROM_SOURCES ? ['..', '..', '..'] : ['..']));
export const BROWSER_BUNDLE_DIR = resolve(PROJECT_ROOT, 'dist', 'browser');
export const BROWSER_BUNDLE = resolve(BROWSER_BUNDLE_DIR, 'perifat.js');
