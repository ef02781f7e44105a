/**
 * The GPU suites' harness: the tests' page (test/harness/page) in one headless Chromium per suite
 * (Dawn on SwiftShader here), or — with PERIFAT_GPU_RUNTIME=node, the vitest project "dawn" — the
 * same page jobs in Node on Dawn for Node (Mesa llvmpipe here): two WebGPU implementations. It
 * fails loudly when there is no WebGPU adapter; a GPU test is never skipped.
 */
import type { AdapterReport } from '../../src/platform/page/protocol';
import { ChromiumRunner, type PageRunner } from '../../src/platform/node/chromium';
import { TEST_PAGE } from '../harness/page/build';
import { DawnPageRunner } from '../../src/platform/node/dawn-page-runner';

/** Which implementation this run of the GPU suites uses. */
export const GPU_RUNTIME: 'chromium' | 'node' = process.env['PERIFAT_GPU_RUNTIME'] === 'node' ? 'node' : 'chromium';

export async function startGpuRunner(): Promise<{ runner: PageRunner; adapter: AdapterReport }> {
  const runner =
    GPU_RUNTIME === 'node'
      ? await DawnPageRunner.start(() => import('../harness/page/entry'))
      : await ChromiumRunner.start({ verbose: process.env['PERIFAT_VERBOSE'] === '1', page: TEST_PAGE });
  try {
    const adapter = await runner.call<AdapterReport>('adapter');
    return { runner, adapter };
  } catch (e) {
    await runner.close();
    throw new Error(`GPU suite needs a WebGPU adapter (${GPU_RUNTIME}) and found none: ${String(e)}`);
  }
}

export function bytesOf(a: Int16Array | Uint8Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}
