/**
 * Runs perifat's WebGPU kernels in headless Chromium driven by puppeteer-core. Node loads the
 * inputs, the page computes on its GPU (SwiftShader on machines without one), results come back
 * as JSON or through the local server. The browser profile is a temporary folder, removed on close.
 */
import { existsSync, mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { PerifatError, isSerializedPerifatError, reviveError } from '../../errors';
import type { CallResult } from '../page/protocol';
import { type PageBuild, PRODUCT_PAGE, ensureBrowserBundle } from './bundle';
import { LocalServer } from './local-server';

const CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/opt/google/chrome/chrome',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
];

// No Dawn feature flags: the runner's page runs the kernels exactly as any web page would (the
// software-adapter kernels use no large workgroup arrays, whose zero-initialisation a page cannot
// switch off and SwiftShader compiles slowly).
export const CHROMIUM_FLAGS = [
  '--headless=new',
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--no-default-browser-check',
];

export function findBrowser(explicit?: string): string {
  const env = process.env['PERIFAT_BROWSER'] ?? process.env['CHROME_PATH'];
  for (const p of [explicit, env, ...CANDIDATES]) {
    if (p && existsSync(p)) return p;
  }
  throw new PerifatError(
    'E_GPU_UNAVAILABLE',
    'no Chrome/Chromium found: install one (Debian: apt-get install chromium), pass --browser PATH, or use --backend cpu',
  );
}

/**
 * The folder Chromium makes in the temporary directory for its profile's singleton socket
 * (org.chromium.Chromium.*, linked from the profile): a browser that is killed leaves it behind.
 */
function socketDirOf(profileDir: string): string | null {
  try {
    const dir = dirname(readlinkSync(join(profileDir, 'SingletonSocket')));
    return dirname(dir) === tmpdir() && basename(dir).startsWith('org.chromium.Chromium.') ? dir : null;
  } catch {
    return null;
  }
}

/** Removes a profile and its socket folder (the one found now, or `socketDir` seen at launch). */
function removeProfile(profileDir: string, socketDir: string | null = socketDirOf(profileDir)): void {
  if (socketDir) rmSync(socketDir, { recursive: true, force: true });
  rmSync(profileDir, { recursive: true, force: true });
}

/**
 * Profiles of runs that were killed (SIGKILL leaves no chance to clean up): a profile is named
 * after its perifat process, and removed here once that process is gone.
 */
export function sweepStaleProfiles(): void {
  for (const name of readdirSync(tmpdir())) {
    const m = /^perifat-chromium-(\d+)-/.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    let alive = true;
    try {
      process.kill(pid, 0);
    } catch (e) {
      alive = (e as NodeJS.ErrnoException).code === 'EPERM';
    }
    if (!alive) removeProfile(join(tmpdir(), name));
  }
}

export interface RunnerOptions {
  browserPath?: string;
  /** Forward the page's console to stderr. */
  verbose?: boolean;
  extraFlags?: string[];
  /** The page to load: the product's (default), or another build such as the tests' harness page. */
  page?: PageBuild;
}

/**
 * What drives a page's jobs: calls by name with JSON arguments, blobs in and uploads out through
 * the local server. ChromiumRunner is the product's; the GPU suites also run the same jobs on Dawn
 * in Node through this interface (test/helpers).
 */
export interface PageRunner {
  readonly server: LocalServer;
  call<T>(method: string, args?: unknown): Promise<T>;
  putBlob(bytes: Uint8Array): string;
  close(): Promise<void>;
}

/**
 * A page job's answer: its value, or its error — typed errors revived with their code, anything
 * else E_RUNTIME saying where it failed (`where`, and `extra` such as the page's console errors).
 */
export function pageResult<T>(method: string, res: CallResult<T>, where: string, extra = ''): T {
  if (res.ok) return res.value;
  if (isSerializedPerifatError(res.error)) throw reviveError(res.error);
  throw new PerifatError('E_RUNTIME', `${method} failed ${where}: ${res.error.message}${extra}`);
}

export class ChromiumRunner implements PageRunner {
  private constructor(
    private readonly browser: Browser,
    private readonly page: Page,
    readonly server: LocalServer,
    private readonly profileDir: string,
    private readonly socketDir: string | null,
    private readonly pageErrors: string[],
    /** Rejects (E_RUNTIME) when the page crashes or the browser goes away: no call waits forever. */
    private readonly broken: Promise<never>,
  ) {}

  static async start(opts: RunnerOptions = {}): Promise<ChromiumRunner> {
    const executablePath = findBrowser(opts.browserPath);
    const bundle = await ensureBrowserBundle(opts.page ?? PRODUCT_PAGE);
    const server = new LocalServer(bundle);
    await server.start();
    sweepStaleProfiles();
    const profileDir = mkdtempSync(join(tmpdir(), `perifat-chromium-${process.pid}-`));
    let browser: Browser | null = null;
    try {
      const puppeteer = await import('puppeteer-core').then(
        (m) => m.default,
        () => {
          throw new PerifatError(
            'E_GPU_UNAVAILABLE',
            'WebGPU from Node needs puppeteer-core (an optional dependency): npm install puppeteer-core, or use --backend cpu',
          );
        },
      );
      // DevTools over a pipe, not a TCP port any local process could attach to; the browser also
      // exits when the pipe closes, i.e. when this process dies. Chromium's sandbox cannot run as
      // root, so only then is it switched off.
      const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
      if (opts.verbose && asRoot) process.stderr.write('perifat: running as root: Chromium starts with --no-sandbox\n');
      browser = await puppeteer.launch({
        executablePath,
        headless: true,
        pipe: true,
        // perifat's own handlers (cleanup.ts) close the browser and report E_INTERRUPTED.
        handleSIGINT: false,
        handleSIGTERM: false,
        handleSIGHUP: false,
        userDataDir: profileDir,
        args: [...CHROMIUM_FLAGS, ...(asRoot ? ['--no-sandbox'] : []), ...(opts.extraFlags ?? [])],
        protocolTimeout: 0,
        // No Network domain: DevTools would keep every fetched blob (a case's CT) in the renderer.
        networkEnabled: false,
      });
      // A browser that goes away on its own (crash) still takes its profile with it, best effort.
      const socketDir = socketDirOf(profileDir);
      browser.once('disconnected', () => {
        try {
          removeProfile(profileDir, socketDir);
        } catch {
          // Still being written by the exiting browser: close() removes it again.
        }
      });
      const page = await browser.newPage();
      let fail: (e: PerifatError) => void = () => {};
      const broken = new Promise<never>((_, f) => {
        fail = f;
      });
      broken.catch(() => {}); // observed by each call's race
      page.on('error', (e) => fail(new PerifatError('E_RUNTIME', `the page crashed: ${e.message}`)));
      browser.on('disconnected', () => fail(new PerifatError('E_RUNTIME', 'the browser exited')));
      const pageErrors: string[] = [];
      page.on('pageerror', (e) => pageErrors.push(e instanceof Error ? e.message : String(e)));
      if (opts.verbose) page.on('console', (m) => process.stderr.write(`[page] ${m.text()}\n`));
      await page.goto(server.pageUrl, { waitUntil: 'load' });
      await page.waitForFunction(() => 'perifat' in globalThis, { timeout: 30_000 });
      return new ChromiumRunner(browser, page, server, profileDir, socketDir, pageErrors, broken);
    } catch (e) {
      await browser?.close().catch(() => undefined);
      await server.close();
      removeProfile(profileDir);
      if (e instanceof PerifatError) throw e;
      throw new PerifatError('E_RUNTIME', `could not start headless Chromium (${executablePath}): ${String(e)}`, {
        cause: e,
      });
    }
  }

  /** Call a page job; typed errors thrown in the page are rethrown here with their code. */
  async call<T>(method: string, args: unknown = {}): Promise<T> {
    let res: CallResult<T>;
    try {
      res = (await Promise.race([
        this.page.evaluate(
          (m: string, a: unknown) =>
            (globalThis as unknown as { perifat: { call(m: string, a: unknown): Promise<unknown> } }).perifat.call(
              m,
              a,
            ),
          method,
          args,
        ),
        this.broken,
      ])) as CallResult<T>;
    } catch (e) {
      // A crashed page, an exited browser, a closed pipe: typed, so a batch restarts and retries.
      if (e instanceof PerifatError) throw e;
      throw new PerifatError('E_RUNTIME', `${method}: the page or browser failed: ${(e as Error).message}`, {
        cause: e,
      });
    }
    const extra = this.pageErrors.length > 0 ? ` (page errors: ${this.pageErrors.join('; ')})` : '';
    return pageResult(method, res, `in the page`, extra);
  }

  /** The browser's product and version, e.g. "Chrome/131.0.6778.85" (Debian's Chromium says so too). */
  browserVersion(): Promise<string> {
    return this.browser.version();
  }

  /** The browser's process id (its GPU and renderer processes are its children). */
  get browserPid(): number | undefined {
    return this.browser.process()?.pid;
  }

  putBlob(bytes: Uint8Array): string {
    return this.server.putBlob(bytes);
  }

  async close(): Promise<void> {
    try {
      await this.browser.close();
    } finally {
      await this.server.close();
      removeProfile(this.profileDir, this.socketDir);
    }
  }
}
