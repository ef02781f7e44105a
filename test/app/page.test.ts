/**
 * The perifat page (app/) in headless Chromium without Dawn flags: the phantom demo on WebGPU equals
 * the CPU engine; real files opened through the file inputs give the numbers `perifat measure
 * --backend cpu` gives; a measurement can be cancelled while the page stays responsive; the slice
 * view with its overlays and the profile plot are not blank; no console errors. Screenshots go to
 * test/artifacts/ (not committed).
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, ElementHandle, Page } from 'puppeteer-core';
import puppeteer from 'puppeteer-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PHANTOM } from '../../app/demo-phantom';
import { CpuMeasureBackend } from '../../src/cpu/backend';
import { measure } from '../../src/measure/measure';
import type { Report } from '../../src/measure/report-types';
import { serveStatic, type StaticServer } from '../../src/node/static-server';
import { makePhantom } from '../../src/phantom';
import { CHROMIUM_FLAGS, findBrowser } from '../../src/runner/chromium';
import { reportDiff } from '../helpers/report-diff';
import { runCli } from '../helpers/run-cli';

const ROOT = resolve(import.meta.dirname, '..', '..');
const DATA = resolve(ROOT, '..', 'shared', 'data');
const ARTIFACTS = join(ROOT, 'test', 'artifacts');

let server: StaticServer;
let browser: Browser;
let work: string;

beforeAll(async () => {
  await build({ configFile: join(ROOT, 'app', 'vite.config.ts'), logLevel: 'error' });
  server = await serveStatic(join(ROOT, 'app', 'dist'));
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  browser = await puppeteer.launch({
    executablePath: findBrowser(),
    headless: true,
    pipe: true,
    // The runner's flags: WebGPU and Vulkan enabled (no Dawn toggles a web page could not set).
    args: [...CHROMIUM_FLAGS, ...(asRoot ? ['--no-sandbox'] : [])],
  });
  work = mkdtempSync(join(tmpdir(), 'perifat-page-'));
  mkdirSync(ARTIFACTS, { recursive: true });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  rmSync(work, { recursive: true, force: true });
});

/** A page with its console errors collected (warnings from the software GL driver are not errors). */
async function openPage(query: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage();
  await page.setViewport({ width: 1400, height: 1000 });
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${server.url}${query}`, { waitUntil: 'load' });
  return { page, errors };
}

const settled = (page: Page) =>
  page.waitForFunction(() => ['done', 'error'].includes(document.body.dataset['perifatStatus'] ?? ''), {
    timeout: 240_000,
  });

/**
 * Pixel statistics of an element's screenshot, decoded in the page: how many distinct colours, the
 * luminance spread, and the share of pixels near each given colour.
 */
async function pixelStats(
  page: Page,
  selector: string,
  file: string,
  colours: [number, number, number][],
): Promise<{ distinct: number; sd: number; near: number[] }> {
  const el = await page.$(selector);
  if (!el) throw new Error(`no ${selector}`);
  const png = await el.screenshot({ path: join(ARTIFACTS, file) });
  const data = `data:image/png;base64,${Buffer.from(png).toString('base64')}`;
  return page.evaluate(
    async (src: string, want: [number, number, number][]) => {
      const img = new Image();
      img.src = src;
      await img.decode();
      const c = document.createElement('canvas');
      c.width = img.width;
      c.height = img.height;
      const ctx = c.getContext('2d') as CanvasRenderingContext2D;
      ctx.drawImage(img, 0, 0);
      const px = ctx.getImageData(0, 0, c.width, c.height).data;
      const seen = new Set<number>();
      let s = 0;
      let s2 = 0;
      const near = want.map(() => 0);
      const n = px.length / 4;
      for (let i = 0; i < px.length; i += 4) {
        const [r, g, b] = [px[i] as number, px[i + 1] as number, px[i + 2] as number];
        seen.add((r << 16) | (g << 8) | b);
        const y = 0.299 * r + 0.587 * g + 0.114 * b;
        s += y;
        s2 += y * y;
        want.forEach(([wr, wg, wb], k) => {
          if (Math.abs(r - wr) + Math.abs(g - wg) + Math.abs(b - wb) < 60) near[k] = (near[k] as number) + 1;
        });
      }
      return { distinct: seen.size, sd: Math.sqrt(s2 / n - (s / n) ** 2), near: near.map((x) => x / n) };
    },
    data,
    colours,
  );
}

const quietMain = async (argv: string[]): Promise<number> => (await runCli(argv)).code;

describe('the perifat page', () => {
  it('?demo=phantom measures on WebGPU what the CPU engine measures, and shows it', async () => {
    const { page, errors } = await openPage('?demo=phantom&backend=webgpu');
    await settled(page);
    expect(await page.evaluate(() => document.body.dataset['perifatStatus'])).toBe('done');
    const report = (await page.evaluate(() => window.perifatReport)) as Report;
    expect(report.backend.api).toBe('webgpu');
    const p = makePhantom(DEMO_PHANTOM);
    const cpu = await measure({ ct: p.ct, pericardium: p.pericardium, vessels: p.vessels }, new CpuMeasureBackend());
    expect(reportDiff(report, cpu, 1e-9)).toEqual([]);

    // The table says what the report says.
    const cells = await page.$$eval('#vessel-table tbody tr', (rows) =>
      rows.map((r) => Array.from(r.children).map((c) => c.textContent ?? '')),
    );
    expect(cells.map((r) => [r[0], r[2]])).toEqual(
      report.vessels.map((v) => [v.name, v.faiHu === null ? '—' : v.faiHu.toFixed(1)]),
    );
    const eatCells = await page.$$eval('#eat-table tbody td', (tds) => tds.map((t) => t.textContent));
    expect(eatCells[0]).toBe(report.eat?.volumeMl.toFixed(1));

    // Slice view: the CT in grey with the red EAT and the ring colours over it.
    const slice = await pixelStats(page, '#viewer-box', 'page-slices.png', [
      [255, 0, 0],
      [13, 8, 135],
    ]);
    expect(slice.distinct).toBeGreaterThan(200);
    expect(slice.sd).toBeGreaterThan(20);
    // Profile: the vessels' lines in their colours on white.
    const profile = await pixelStats(page, '#profile', 'page-profile.png', [
      [217, 72, 1],
      [33, 113, 181],
    ]);
    expect(profile.near[0]).toBeGreaterThan(0.001);
    expect(profile.near[1]).toBeGreaterThan(0.001);
    const full = await page.screenshot({ fullPage: true, path: join(ARTIFACTS, 'page.png') });
    expect(full.byteLength).toBeGreaterThan(50_000);
    expect(errors).toEqual([]);
    await page.close();
  }, 300_000);

  it('measures real files opened through the file inputs as `perifat measure --backend cpu` does', async () => {
    const cta = join(DATA, 'real-cta', 'totalseg-chest-cta');
    const ctPath = join(cta, 'ct.nii.gz');
    const heart = join(cta, 'heart.nii.gz');
    const { page, errors } = await openPage('?backend=cpu');
    const ctInput = (await page.$('#ct-files')) as ElementHandle<HTMLInputElement> | null;
    const maskInput = (await page.$('#mask-file')) as ElementHandle<HTMLInputElement> | null;
    await ctInput?.uploadFile(ctPath);
    await maskInput?.uploadFile(heart);
    await page.waitForFunction(() => !(document.getElementById('measure') as HTMLButtonElement).disabled);
    await page.click('#measure');
    await settled(page);
    expect(await page.evaluate(() => window.perifatError ?? null)).toBeNull();
    const report = (await page.evaluate(() => window.perifatReport)) as Report;
    const out = join(work, 'cta.json');
    expect(
      await quietMain(['measure', '--ct', ctPath, '--pericardium', heart, '--backend', 'cpu', '--out', out, '--quiet']),
    ).toBe(0);
    const cli = JSON.parse(readFileSync(out, 'utf8')) as Report;
    // TotalSegmentator's heart mask leaves out most epicardial fat: a few hundred voxels, still real EAT.
    expect(report.eat?.fatVoxels).toBeGreaterThan(100);
    expect(reportDiff(report, cli, 1e-9)).toEqual([]);
    const eatCells = await page.$$eval('#eat-table tbody td', (tds) => tds.map((t) => t.textContent));
    expect(eatCells[1]).toBe(cli.eat?.meanHu?.toFixed(1));

    expect(errors).toEqual([]);
    await page.close();

    // A DICOM series, its files chosen together: read in the worker, same grid as the CLI reads.
    const series = join(DATA, 'real-ct', 'tcia-a0002-siemens-8mm');
    const files = readdirSync(series)
      .filter((n) => !n.startsWith('.'))
      .map((n) => join(series, n));
    const second = await openPage('?backend=cpu');
    const seriesInput = (await second.page.$('#ct-files')) as ElementHandle<HTMLInputElement> | null;
    await seriesInput?.uploadFile(...files);
    await second.page.waitForFunction(() => !(document.getElementById('measure') as HTMLButtonElement).disabled);
    await second.page.click('#measure');
    await settled(second.page);
    const dicomOut = join(work, 'dicom.json');
    expect(await quietMain(['measure', '--ct', series, '--backend', 'cpu', '--out', dicomOut, '--quiet'])).toBe(0);
    const dicomCli = JSON.parse(readFileSync(dicomOut, 'utf8')) as Report;
    const dicomReport = (await second.page.evaluate(() => window.perifatReport)) as Report;
    expect(dicomReport.input.dims).toEqual(dicomCli.input.dims);
    expect(dicomReport.input.spacingMm).toEqual(dicomCli.input.spacingMm);
    expect(reportDiff(dicomReport, dicomCli, 1e-9)).toEqual([]);
    expect(second.errors).toEqual([]);
    await second.page.close();
  }, 300_000);

  it('cancels a running measurement from the page, which stays responsive', async () => {
    const { page, errors } = await openPage('?backend=webgpu');
    await page.click('#phantom');
    await page.waitForFunction(() => document.body.dataset['perifatStatus'] === 'running');
    // The page answers while the worker measures: the click lands and cancels.
    await page.click('#cancel');
    await settled(page);
    expect(await page.evaluate(() => window.perifatError?.code)).toBe('E_ABORTED');
    expect(await page.$eval('#error', (e) => e.textContent)).toBe('Cancelled.');
    expect(errors).toEqual([]);
    await page.close();
  }, 300_000);
});
