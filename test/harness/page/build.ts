/** The tests' page, built like the product page (src/platform/node/bundle.ts) into its own folder. */
import { resolve } from 'node:path';
import { type PageBuild, ensureBrowserBundle } from '../../../src/platform/node/bundle';
import { PROJECT_ROOT } from '../../../src/platform/node/paths';

export const TEST_PAGE: PageBuild = {
  entry: resolve(PROJECT_ROOT, 'test/harness/page/entry.ts'),
  bundle: resolve(PROJECT_ROOT, 'dist/test-page/perifat.js'),
  sources: [resolve(PROJECT_ROOT, 'src'), resolve(PROJECT_ROOT, 'test/harness/page')],
};

export function ensureTestPage(): Promise<string> {
  return ensureBrowserBundle(TEST_PAGE);
}
