/**
 * The tests' page run in this Node process on Dawn (npm `webgpu`), for the GPU suites' second
 * WebGPU implementation: the same page jobs (test/harness/page/entry.ts), the same local server for
 * blobs and uploads, the same JSON in and out as through Chromium — only the device differs.
 */
import { availableParallelism } from 'node:os';
import { isSerializedPerifatError, PerifatError, reviveError } from '../../src/errors';
import type { PageRunner } from '../../src/platform/node/chromium';
import { dawnGpu } from '../../src/platform/node/dawn';
import { LocalServer } from '../../src/platform/node/local-server';
import type { CallResult, PageApi } from '../../src/platform/page/protocol';

export class DawnPageRunner implements PageRunner {
  private constructor(readonly server: LocalServer) {}

  static async start(): Promise<DawnPageRunner> {
    const server = new LocalServer('');
    await server.start();
    // What a page has and Node lacks: navigator.gpu, and fetch of URLs relative to the page.
    const gpu = await dawnGpu();
    Object.defineProperty(globalThis, 'navigator', {
      value: { gpu, hardwareConcurrency: availableParallelism() },
      configurable: true,
      writable: true,
    });
    const base = new URL('.', server.pageUrl);
    const fetchAbsolute = globalThis.fetch;
    globalThis.fetch = (input: string | URL | Request, init?: RequestInit) =>
      fetchAbsolute(typeof input === 'string' ? new URL(input, base) : input, init);
    await import('../harness/page/entry');
    return new DawnPageRunner(server);
  }

  async call<T>(method: string, args: unknown = {}): Promise<T> {
    const page = (globalThis as unknown as { perifat: PageApi }).perifat;
    // Copies both ways, as page.evaluate carries them: a job must not depend on shared objects.
    const res = structuredClone(await page.call(method, structuredClone(args))) as CallResult<T>;
    if (res.ok) return res.value;
    if (isSerializedPerifatError(res.error)) throw reviveError(res.error);
    throw new PerifatError('E_RUNTIME', `${method} failed on Dawn: ${res.error.message}`);
  }

  putBlob(bytes: Uint8Array): string {
    return this.server.putBlob(bytes);
  }

  async close(): Promise<void> {
    await this.server.close();
  }
}
