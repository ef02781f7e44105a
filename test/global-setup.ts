// Build the browser bundle once before any suite, so GPU suites never race to rebuild it.
import { ensureBrowserBundle } from '../src/runner/bundle';

export default async function setup(): Promise<void> {
  await ensureBrowserBundle();
}
