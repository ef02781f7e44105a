/** Where the project lives on disk, found from this file (src/runner/) so cwd does not matter. */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BROWSER_BUNDLE_DIR = resolve(PROJECT_ROOT, 'dist', 'browser');
export const BROWSER_BUNDLE = resolve(BROWSER_BUNDLE_DIR, 'perifat.js');
