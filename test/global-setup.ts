// Build the product page and the tests' page once before any suite, so GPU suites never race to rebuild them.
import { ensureBrowserBundle } from '../src/platform/node/bundle';
import { ensureTestPage } from './harness/page/build';

export default async function setup(): Promise<void> {
  await ensureBrowserBundle();
  await ensureTestPage();
}
