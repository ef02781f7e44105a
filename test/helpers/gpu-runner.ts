/**
 * The GPU suites' harness: one headless Chromium per suite, on the tests' page (test/harness/page). It fails loudly when the page has no
 * WebGPU adapter; a GPU test is never skipped.
 */
import type { AdapterReport } from '../../src/platform/page/protocol';
import { ChromiumRunner } from '../../src/platform/node/chromium';
import { TEST_PAGE } from '../harness/page/build';

export async function startGpuRunner(): Promise<{ runner: ChromiumRunner; adapter: AdapterReport }> {
  const runner = await ChromiumRunner.start({ verbose: process.env['PERIFAT_VERBOSE'] === '1', page: TEST_PAGE });
  try {
    const adapter = await runner.call<AdapterReport>('adapter');
    return { runner, adapter };
  } catch (e) {
    await runner.close();
    throw new Error(`GPU suite needs a WebGPU adapter in headless Chromium and found none: ${String(e)}`);
  }
}

export function bytesOf(a: Int16Array | Uint8Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}
