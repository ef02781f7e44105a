/**
 * A page's jobs run in this Node process on Dawn (npm `webgpu`): the product's jobs (`perifat bench
 * --runtime node`) or the tests' page (the GPU suites' second WebGPU implementation), with the same
 * local server for blobs and uploads and the same copies in and out as through Chromium — only the
 * device and the process differ, and the process lends the jobs its worker threads to build the
 * candidate index (index-workers.ts), as `--runtime node` does outside the bench.
 */
import { availableParallelism } from 'node:os';
import type { CallResult, PageApi } from '../page/protocol';
import { pageResult, type PageRunner } from './chromium';
import { dawnGpu } from './dawn';
import { LocalServer } from './local-server';
import { workerIndexBuilder } from './index-workers';
import { defaultThreads } from './shell-workers';
import { ShellWorkerPool } from './worker-pool';

export class DawnPageRunner implements PageRunner {
  private constructor(
    readonly server: LocalServer,
    private readonly pool: ShellWorkerPool,
  ) {}

  /**
   * `installPage` loads the page's entry, which installs its job table (servePage); default: the
   * product's jobs.
   */
  static async start(installPage: () => Promise<unknown> = installProductPage): Promise<DawnPageRunner> {
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
    await installPage();
    // The jobs' candidate index over this process's threads, kept warm across jobs.
    const threads = defaultThreads();
    const pool = new ShellWorkerPool(Math.max(0, threads - 1));
    const { setIndexBuilder } = await import('../page/jobs');
    setIndexBuilder(workerIndexBuilder(threads, { pool }));
    return new DawnPageRunner(server, pool);
  }

  async call<T>(method: string, args: unknown = {}): Promise<T> {
    const page = (globalThis as unknown as { perifat: PageApi }).perifat;
    // Copies both ways, as page.evaluate carries them: a job must not depend on shared objects.
    const res = structuredClone(await page.call(method, structuredClone(args))) as CallResult<T>;
    return pageResult(method, res, 'on Dawn');
  }

  putBlob(bytes: Uint8Array): string {
    return this.server.putBlob(bytes);
  }

  async close(): Promise<void> {
    const { setIndexBuilder } = await import('../page/jobs');
    setIndexBuilder(undefined);
    await this.pool.close();
    await this.server.close();
  }
}

async function installProductPage(): Promise<void> {
  const [{ PRODUCT_JOBS }, { servePage }] = await Promise.all([
    import('../page/product-jobs'),
    import('../page/serve'),
  ]);
  servePage(PRODUCT_JOBS);
}
