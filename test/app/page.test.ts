/**
 * The perifat page (app/) in headless Chromium without Dawn flags: the phantom demo on WebGPU equals
 * the CPU engine; real files opened through the file inputs give the numbers `perifat measure
 * --backend cpu` gives; a measurement can be cancelled while the page stays responsive; the slice
 * view with its overlays and the profile plot are not blank; each vessel's VOI (and its rings) and
 * the lesions are toggled on the slice view; a coronary mask (with an aorta mask) opened through the
 * file inputs gives derived centerlines and the numbers `perifat measure --coronary-mask --aorta`
 * gives; a vessel traced by clicks on the slice view lies on the true one, is measured, and is
 * exported as `perifat measure --vessels` measures it; a DICOM series exports a SEG and SR that dciodvfy
 * accepts, holding the masks and numbers the CLI writes; no console errors. Screenshots go to
 * test/artifacts/ (not committed), the traced page too (docs/page-trace.png is a copy of one).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Browser, ElementHandle, Page } from 'puppeteer-core';
import puppeteer from 'puppeteer-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PHANTOM } from '../../app/demo-phantom';
import { CpuMeasureBackend } from '../../src/backends/cpu/backend';
import { measure } from '../../src/measure/measure';
import type { Report } from '../../src/measure/report-types';
import { serveStatic, type StaticServer } from '../../src/platform/node/static-server';
import { makePhantom } from '../../src/phantom';
import type { Phantom } from '../../src/phantom/types';
import { CHROMIUM_FLAGS, findBrowser } from '../../src/platform/node/chromium';
import { writeNifti } from '../../src/platform/node/write';
import { readVessels } from '../../src/io/index';
import type { Vec3 } from '../../src/volume/geometry';
import { arcLengths, type VesselSet } from '../../src/volume/vessels';
import { nearestOn } from '../centerlines/helpers';
import { decodePng, type Pixels } from '../helpers/png';
import { reportDiff } from '../helpers/report-diff';
import { runCli } from '../helpers/run-cli';
import { loadCt, loadLabels } from '../../src/platform/node/load';
import { writeDicomSeries } from '../../src/platform/node/phantom-dicom';
import { vesselsJson } from '../../src/platform/node/phantom-files';
import { expectRoundTrip, expectSrMatches } from '../dicom-outputs/checks';
import { expectValid } from '../dicom-outputs/dciodvfy';
import { readDataset } from '../dicom-outputs/sr-read';

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

/** An element's screenshot (saved under test/artifacts/) as pixels. */
async function shot(page: Page, selector: string, file: string): Promise<Pixels> {
  const el = await page.$(selector);
  if (!el) throw new Error(`no ${selector}`);
  return decodePng(await el.screenshot({ path: join(ARTIFACTS, file) }));
}

/**
 * Pixel statistics of an element's screenshot: how many distinct colours, the luminance spread,
 * and the share of pixels near each given colour.
 */
async function pixelStats(
  page: Page,
  selector: string,
  file: string,
  colours: [number, number, number][],
): Promise<{ distinct: number; sd: number; near: number[] }> {
  const px = (await shot(page, selector, file)).rgba;
  const seen = new Set<number>();
  let s = 0;
  let s2 = 0;
  const near = colours.map(() => 0);
  const n = px.length / 4;
  for (let i = 0; i < px.length; i += 4) {
    const [r, g, b] = [px[i] as number, px[i + 1] as number, px[i + 2] as number];
    seen.add((r << 16) | (g << 8) | b);
    const y = 0.299 * r + 0.587 * g + 0.114 * b;
    s += y;
    s2 += y * y;
    colours.forEach(([wr, wg, wb], k) => {
      if (Math.abs(r - wr) + Math.abs(g - wg) + Math.abs(b - wb) < 60) near[k] = (near[k] as number) + 1;
    });
  }
  return { distinct: seen.size, sd: Math.sqrt(s2 / n - (s / n) ** 2), near: near.map((x) => x / n) };
}

/** Hue (degrees) of an [r, g, b] colour; NaN for a grey. */
function hueOf([r, g, b]: [number, number, number]): number {
  const max = Math.max(r, g, b);
  const c = max - Math.min(r, g, b);
  if (c === 0) return Number.NaN;
  const h = max === r ? ((g - b) / c + 6) % 6 : max === g ? (b - r) / c + 2 : (r - g) / c + 4;
  return 60 * h;
}

/**
 * Colour counts of an element's screenshot: pixels that are not grey (chroma ≥ 30 of 255), and of
 * those, the pixels whose hue is within 10° of each given colour's. An overlay blended over the grey
 * CT keeps its colour's hue, whatever its opacity and the grey under it.
 */
async function hueCounts(
  page: Page,
  selector: string,
  file: string,
  colours: [number, number, number][],
): Promise<{ coloured: number; near: number[] }> {
  const px = (await shot(page, selector, file)).rgba;
  const hues = colours.map(hueOf);
  let coloured = 0;
  const near = hues.map(() => 0);
  for (let i = 0; i < px.length; i += 4) {
    const rgb: [number, number, number] = [px[i] as number, px[i + 1] as number, px[i + 2] as number];
    if (Math.max(...rgb) - Math.min(...rgb) < 30) continue;
    coloured++;
    const h = hueOf(rgb);
    hues.forEach((want, k) => {
      const d = Math.abs(h - want);
      if (Math.min(d, 360 - d) < 10) near[k] = (near[k] as number) + 1;
    });
  }
  return { coloured, near };
}

/** Lets the page handle what was just clicked and draw it (two animation frames). */
const drawn = (page: Page) =>
  page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));

/** A colour in CSS (`rgb(r, g, b)`) as [r, g, b]. */
const cssRgb = (css: string): [number, number, number] => {
  const m = /rgb\((\d+), (\d+), (\d+)\)/.exec(css);
  if (!m) throw new Error(`not an rgb() colour: ${css}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
};

const quietMain = async (argv: string[]): Promise<number> => (await runCli(argv)).code;

/** A phantom with an aorta and a coronary lumen mask, written as NIfTI files once (both tests below). */
let coronaryPhantom: {
  p: Phantom;
  files: { ct: string; pericardium: string; coronary: string; aorta: string };
} | null = null;
function phantomFiles(): NonNullable<typeof coronaryPhantom> {
  if (coronaryPhantom) return coronaryPhantom;
  const p = makePhantom({
    tree: { branchesFrom: 'ostium' },
    aorticSinuses: true,
    dims: [128, 128, 128],
    spacing: [0.6, 0.6, 0.6],
  });
  const dir = join(work, 'coronary-phantom');
  mkdirSync(dir, { recursive: true });
  const files = {
    ct: join(dir, 'ct.nii.gz'),
    pericardium: join(dir, 'pericardium.nii.gz'),
    coronary: join(dir, 'coronary.nii.gz'),
    aorta: join(dir, 'aorta.nii.gz'),
  };
  writeNifti(p.ct, files.ct);
  writeNifti(p.pericardium, files.pericardium);
  writeNifti(p.coronaryMask, files.coronary);
  writeNifti(p.aorta as NonNullable<Phantom['aorta']>, files.aorta);
  coronaryPhantom = { p, files };
  return coronaryPhantom;
}

async function upload(page: Page, selector: string, ...paths: string[]): Promise<void> {
  const input = (await page.$(selector)) as ElementHandle<HTMLInputElement> | null;
  if (!input) throw new Error(`no ${selector}`);
  await input.uploadFile(...paths);
}

/** Waits for a downloaded binary file to be whole; its path. */
async function downloadedBytes(path: string): Promise<string> {
  for (let i = 0; i < 200 && !existsSync(path); i++) await new Promise((r) => setTimeout(r, 50));
  expect(existsSync(path), `${path} (beside it: ${readdirSync(dirname(path)).join(', ')})`).toBe(true);
  return path;
}

/** Waits for a downloaded file to be whole (Chromium writes a .crdownload first). */
async function downloaded(path: string): Promise<string> {
  for (let i = 0; i < 200 && !existsSync(path); i++) await new Promise((r) => setTimeout(r, 50));
  return readFileSync(path, 'utf8');
}

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

  it("toggles each vessel's VOI (with its rings) and the lesions on the slice view", async () => {
    const { page, errors } = await openPage('?demo=phantom&backend=cpu');
    await settled(page);
    expect(await page.evaluate(() => document.body.dataset['perifatStatus'])).toBe('done');
    const report = (await page.evaluate(() => window.perifatReport)) as Report;
    // The demo phantom's vessel set holds a lesion (on the LAD), so the lesion overlay is exercised.
    expect(report.vessels.length).toBeGreaterThanOrEqual(3);
    expect(report.lesions.length).toBeGreaterThan(0);

    // One labelled checkbox per vessel of the report, in its order, checked, in a fieldset with a legend.
    const toggles = await page.$$eval('#ov-vessels input[type=checkbox]', (boxes) =>
      boxes.map((b) => {
        const label = b.labels?.[0];
        const swatch = label?.querySelector('.swatch');
        return {
          id: b.id,
          checked: b.checked,
          labels: b.labels?.length ?? 0,
          name: label?.querySelector('.vessel-name')?.textContent ?? '',
          text: label?.textContent ?? '',
          colour: swatch ? getComputedStyle(swatch).backgroundColor : '',
        };
      }),
    );
    expect(toggles.map((t) => t.name)).toEqual(report.vessels.map((v) => v.name));
    expect(toggles.every((t) => t.checked && t.labels === 1 && t.colour.startsWith('rgb('))).toBe(true);
    // The colour is said in words too (visually hidden), and no two vessels share one.
    for (const t of toggles) expect(t.text).toMatch(new RegExp(`${t.name} \\(\\w[\\w ]*\\)$`));
    expect(new Set(toggles.map((t) => t.colour)).size).toBe(toggles.length);
    expect(
      await page.$eval('#ov-vessels', (f) => ({
        hidden: (f as HTMLFieldSetElement).hidden,
        legend: f.querySelector('legend')?.textContent ?? '',
      })),
    ).toEqual({ hidden: false, legend: 'Vessels: VOI and rings' });
    // The lesion toggle is there (lesions exist), labelled, checked, and drawn magenta.
    const lesionToggle = await page.$eval('#ov-lesions', (b) => ({
      shown: (b as HTMLInputElement).offsetParent !== null,
      checked: (b as HTMLInputElement).checked,
      label: (b as HTMLInputElement).labels?.[0]?.textContent?.trim() ?? '',
    }));
    expect(lesionToggle).toEqual({ shown: true, checked: true, label: 'lesions' });
    const lesionRgb = cssRgb(await page.$eval('#ov-lesions-swatch', (s) => getComputedStyle(s).backgroundColor));

    const vesselRgb = toggles.map((t) => cssRgb(t.colour));
    const colours = [...vesselRgb, lesionRgb];
    const count = (file: string) => hueCounts(page, '#viewer-box', file, colours);

    // Only the CT, the VOIs and the lesions: EAT, rings and centerlines off (the fat window is off).
    for (const id of ['#ov-eat', '#ov-rings', '#ov-lines']) await page.click(id);
    await drawn(page);
    const on = await count('page-vois.png');
    // The first slice goes through the first vessel (RCA), so its VOI is there in its colour.
    const first = on.near[0] ?? 0;
    expect(first).toBeGreaterThan(200);

    // The first vessel off: its colour leaves the slice, the other vessels' and the lesions' stay.
    await page.click('#ov-vessel-0');
    await drawn(page);
    const off = await count('page-vois-first-off.png');
    expect(await page.$eval('#ov-vessel-0', (b) => (b as HTMLInputElement).checked)).toBe(false);
    expect(off.near[0]).toBeLessThan(first * 0.02);
    expect(off.near.slice(1)).toEqual(on.near.slice(1));
    expect(on.coloured - off.coloured).toBeGreaterThan(first * 0.9);

    // Back on from the keyboard: the same picture.
    await page.focus('#ov-vessel-0');
    await page.keyboard.press('Space');
    await drawn(page);
    const back = await count('page-vois-first-back.png');
    expect(await page.$eval('#ov-vessel-0', (b) => (b as HTMLInputElement).checked)).toBe(true);
    expect(back).toEqual(on);

    // The lesions alone (every vessel hidden): in their colour, gone with their toggle, back with it.
    const lesion = colours.length - 1;
    for (let i = 0; i < toggles.length; i++) await page.click(`#ov-vessel-${i}`);
    await drawn(page);
    const lesionsOnly = await count('page-lesions.png');
    expect(lesionsOnly.near[lesion]).toBeGreaterThan(200);
    expect(lesionsOnly.near.slice(0, lesion).every((n) => n === 0)).toBe(true);
    await page.click('#ov-lesions');
    await drawn(page);
    const noLesions = await count('page-lesions-off.png');
    expect(noLesions.near[lesion]).toBe(0);
    expect(lesionsOnly.coloured - noLesions.coloured).toBeGreaterThan(0.9 * (lesionsOnly.near[lesion] ?? 0));
    await page.click('#ov-lesions');
    for (let i = 0; i < toggles.length; i++) await page.click(`#ov-vessel-${i}`);
    await drawn(page);
    expect(await count('page-vois-again.png')).toEqual(on);

    // With the rings overlay on, hiding a vessel hides its rings too: far more colour leaves the
    // slice than its VOI held (the rings reach 20 mm from the wall, the VOI one diameter).
    await page.click('#ov-rings');
    await drawn(page);
    const rings = await count('page-rings.png');
    await page.click('#ov-vessel-0');
    await drawn(page);
    const ringsOff = await count('page-rings-first-off.png');
    expect(rings.coloured - ringsOff.coloured).toBeGreaterThan(3 * first);
    await page.click('#ov-vessel-0');
    await drawn(page);
    expect(await count('page-rings-first-back.png')).toEqual(rings);

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

  it('exports a DICOM SEG and SR of a DICOM series that dciodvfy accepts and perifat reads back', async () => {
    const p = makePhantom({ dims: [96, 96, 64], spacing: [0.8, 0.8, 1.2], noiseSd: 5 });
    const dir = join(work, 'dicom-phantom');
    await writeDicomSeries(p.ct, join(dir, 'ct'));
    const pericardium = join(dir, 'pericardium.nii.gz');
    const vessels = join(dir, 'vessels.json');
    writeNifti(p.pericardium, pericardium);
    writeFileSync(vessels, JSON.stringify(vesselsJson(p.vessels)));
    const { page, errors } = await openPage('?backend=cpu');
    const downloads = join(work, 'dicom-downloads');
    mkdirSync(downloads, { recursive: true });
    const cdp = await page.createCDPSession();
    await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: downloads });
    const slices = readdirSync(join(dir, 'ct')).map((n) => join(dir, 'ct', n));
    await upload(page, '#ct-files', ...slices);
    await upload(page, '#mask-file', pericardium);
    await upload(page, '#vessels-file', vessels);
    await page.waitForFunction(() => !(document.getElementById('measure') as HTMLButtonElement).disabled);
    await page.click('#measure');
    await settled(page);
    expect(await page.evaluate(() => window.perifatError ?? null)).toBeNull();
    const report = (await page.evaluate(() => window.perifatReport)) as Report;
    expect(report.vessels.map((v) => v.name)).toEqual(['RCA', 'LAD', 'LCx']);
    await page.click('#export-dicom');
    const seg = await downloadedBytes(join(downloads, 'case-seg.dcm'));
    const sr = await downloadedBytes(join(downloads, 'case-sr.dcm'));
    expectValid(seg, 'Segmentation');
    expectValid(sr, 'Comprehensive3DSR');
    // The segments are the masks `perifat measure --seg-out` writes for the same files.
    const ct = await loadCt(join(dir, 'ct'));
    const cliSeg = join(work, 'dicom-phantom-cli.dcm');
    const args = ['measure', '--ct', join(dir, 'ct'), '--pericardium', pericardium, '--vessels', vessels];
    expect(await quietMain([...args, '--backend', 'cpu', '--quiet', '--seg-out', cliSeg])).toBe(0);
    const labels = [
      'EAT',
      ...report.vessels.map((v) => `${v.name} VOI`),
      ...report.lesions.map((l, j) => `${l.vessel} lesion ${j + 1}`),
    ];
    const masks = await Promise.all(
      labels.map(async (label, i) => ({
        label,
        mask: (await loadLabels(cliSeg, { onto: ct, segment: i + 1 })).labels,
      })),
    );
    await expectRoundTrip(seg, ct, masks);
    const segSop = String(readDataset(seg)['SOPInstanceUID']);
    const groups = [
      'EAT',
      ...report.vessels.map((v) => `${v.name} pericoronary VOI`),
      ...report.lesions.map((l) => `${l.vessel} lesion ${l.startMm}-${l.endMm} mm`),
    ];
    expectSrMatches(sr, segSop, report, ct, new Map(groups.map((g, n) => [g, n + 1])));
    expect(errors).toEqual([]);
    await page.close();
  }, 300_000);

  it('derives the centerlines from a coronary and an aorta mask opened through the file inputs, as the CLI does', async () => {
    const { files } = phantomFiles();
    const { page, errors } = await openPage('?backend=cpu');
    await upload(page, '#ct-files', files.ct);
    await upload(page, '#mask-file', files.pericardium);
    await upload(page, '#coronary-file', files.coronary);
    await upload(page, '#aorta-file', files.aorta);
    expect(await page.$eval('#chosen', (e) => e.textContent)).toContain(
      'centerlines derived from the coronary mask coronary.nii.gz, ostia where it meets the aorta aorta.nii.gz',
    );
    await page.waitForFunction(() => !(document.getElementById('measure') as HTMLButtonElement).disabled);
    await page.click('#measure');
    await settled(page);
    expect(await page.evaluate(() => window.perifatError ?? null)).toBeNull();
    const report = (await page.evaluate(() => window.perifatReport)) as Report;
    const out = join(work, 'coronary.json');
    expect(
      await quietMain([
        'measure',
        '--ct',
        files.ct,
        '--pericardium',
        files.pericardium,
        '--coronary-mask',
        files.coronary,
        '--aorta',
        files.aorta,
        '--backend',
        'cpu',
        '--out',
        out,
        '--quiet',
      ]),
    ).toBe(0);
    const cli = JSON.parse(readFileSync(out, 'utf8')) as Report;
    expect(report.centerlines?.method).toBe('mask');
    expect(report.centerlines?.vessels.vessels.map((v) => v.name)).toEqual(['RCA', 'LAD', 'LCx']);
    expect(report.vessels.every((v) => v.faiHu !== null)).toBe(true);
    // Everything but the derivation's timings (centerlines.stats.ms*, like timingsMs: the clock's).
    expect(reportDiff(report, cli, 1e-9).filter((d) => !/^centerlines\.stats\.ms\w*:/.test(d))).toEqual([]);

    // The derivation is said (and its warnings listed), each derived vessel has its toggle, and the
    // derived centerlines are drawn in the centerline overlay's green.
    const derived = await page.$eval('#centerlines-derived', (d) => ({
      hidden: (d as HTMLDivElement).hidden,
      how: d.querySelector('#centerlines-how')?.textContent ?? '',
      warnings: d.querySelectorAll('#centerline-warnings li').length,
    }));
    expect(derived.hidden).toBe(false);
    expect(derived.how).toMatch(/^From the coronary mask: RCA, LAD, LCx/);
    expect(derived.warnings).toBe(report.centerlines?.warnings.length);
    const toggles = await page.$$eval('#ov-vessels .vessel-name', (n) => n.map((x) => x.textContent));
    expect(toggles).toEqual(['RCA', 'LAD', 'LCx']);
    for (const id of ['#ov-eat', '#ov-rings']) await page.click(id);
    for (let i = 0; i < 3; i++) await page.click(`#ov-vessel-${i}`);
    await drawn(page);
    const green = await hueCounts(page, '#viewer-box', 'page-derived-lines.png', [[0, 255, 0]]);
    expect(green.near[0]).toBeGreaterThan(3);
    await page.screenshot({ fullPage: true, path: join(ARTIFACTS, 'page-coronary-mask.png') });
    expect(errors).toEqual([]);
    await page.close();
  }, 300_000);

  it('traces the RCA from clicks on the slice view, measures it, and exports it', async () => {
    const { p, files } = phantomFiles();
    const { page, errors } = await openPage('?backend=cpu');
    const downloads = join(work, 'downloads');
    mkdirSync(downloads, { recursive: true });
    const cdp = await page.createCDPSession();
    await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: downloads });
    // The scan first (EAT only: no centerlines); tracing needs a CT on the slice view.
    expect(await page.$eval('#trace-mode', (b) => (b as HTMLInputElement).disabled)).toBe(true);
    await upload(page, '#ct-files', files.ct);
    await upload(page, '#mask-file', files.pericardium);
    await page.waitForFunction(() => !(document.getElementById('measure') as HTMLButtonElement).disabled);
    await page.click('#measure');
    await settled(page);
    expect(await page.evaluate(() => window.perifatError ?? null)).toBeNull();
    expect(((await page.evaluate(() => window.perifatReport)) as Report).vessels).toEqual([]);

    // Trace mode on; the true RCA's ostium, its middle and its end clicked where the page draws them
    // (each on its own slice): through niivue's click handling, its crosshair snapped to the voxel.
    const rca = p.vessels.vessels.find((v) => v.name === 'RCA');
    if (!rca) throw new Error('the phantom has no RCA');
    const clicks = [rca.points[0], rca.points[Math.floor(rca.points.length / 2)], rca.points.at(-1)] as Vec3[];
    await page.click('#trace-mode');
    const pointsListed = () => page.$$eval('#trace-points li', (li) => li.map((x) => x.textContent ?? ''));
    const clickAt = async (lps: Vec3) => {
      const xy = await page.evaluate((q) => window.perifatPageXY?.(q) ?? null, lps);
      if (!xy) throw new Error(`${lps.join(', ')} is not on the slice view`);
      await page.mouse.click(xy.x, xy.y);
      await drawn(page);
    };
    for (const [n, c] of clicks.entries()) {
      await clickAt(c);
      expect(await pointsListed()).toHaveLength(n + 1);
    }
    // A stray click, taken back.
    await clickAt(rca.points[10] as Vec3);
    expect(await pointsListed()).toHaveLength(4);
    await page.click('#trace-undo');
    const listed = await pointsListed();
    expect(listed.map((t) => t.split(':')[0])).toEqual(['ostium', 'waypoint', 'distal end']);
    // Each point is the clicked voxel's centre: within half a voxel diagonal of where it was aimed.
    const picked = listed.map((t) => (/: (.*) mm/.exec(t)?.[1] ?? '').split(', ').map(Number));
    picked.forEach((q, i) => {
      const c = clicks[i] as Vec3;
      expect(Math.hypot(q[0]! - c[0], q[1]! - c[1], q[2]! - c[2])).toBeLessThan(0.6);
    });

    await page.select('#trace-name', 'RCA');
    await page.click('#trace-run');
    await settled(page);
    expect(await page.evaluate(() => window.perifatError ?? null)).toBeNull();
    const traced = (await page.evaluate(() => window.perifatTraced)) as VesselSet;
    expect(traced.vessels.map((v) => v.name)).toEqual(['RCA']);
    const got = traced.vessels[0]!;
    const d = got.points.map((q) => nearestOn(rca, q).d);
    const mean = d.reduce((a, b) => a + b, 0) / d.length;
    expect(mean).toBeLessThan(1);
    // It runs the whole way: ostium to distal end.
    expect(arcLengths(got.points).at(-1)!).toBeGreaterThan(0.9 * arcLengths(rca.points).at(-1)!);
    const report = (await page.evaluate(() => window.perifatReport)) as Report;
    expect(report.vessels.map((v) => v.name)).toEqual(['RCA']);
    expect(report.vessels[0]?.faiHu).toEqual(expect.any(Number));
    const row = await page.$$eval('#vessel-table tbody tr', (rows) =>
      rows.map((r) => Array.from(r.children).map((c) => c.textContent ?? '')),
    );
    expect(row.map((r) => [r[0], r[2]])).toEqual([['RCA', report.vessels[0]!.faiHu!.toFixed(1)]]);
    expect(await page.$$eval('#traced-list li', (li) => li.map((x) => x.dataset['vessel']))).toEqual(['RCA']);
    // All three planes through the traced path, for the picture.
    await page.select('#view', 'multi');
    await drawn(page);
    await page.screenshot({ fullPage: true, path: join(ARTIFACTS, 'page-trace.png') });

    // The exports: perifat-vessels/1 JSON (that `perifat measure --vessels` measures as the page did) and .vtp.
    await page.click('#export-traced-json');
    const json = await downloaded(join(downloads, 'case-centerlines.json'));
    const doc = JSON.parse(json) as { schema: string; vessels: { name: string; points: number[][] }[] };
    expect(doc.schema).toBe('perifat-vessels/1');
    expect(doc.vessels[0]?.points).toEqual(got.points);
    const out = join(work, 'traced.json');
    const vesselsFile = join(work, 'traced-vessels.json');
    rmSync(vesselsFile, { force: true });
    writeFileSync(vesselsFile, json);
    expect(
      await quietMain([
        'measure',
        '--ct',
        files.ct,
        '--pericardium',
        files.pericardium,
        '--vessels',
        vesselsFile,
        '--backend',
        'cpu',
        '--out',
        out,
        '--quiet',
      ]),
    ).toBe(0);
    const cli = JSON.parse(readFileSync(out, 'utf8')) as Report;
    expect(reportDiff(report, cli, 1e-9)).toEqual([]);
    await page.click('#export-traced-vtp');
    const vtp = await readVessels(await downloaded(join(downloads, 'case-centerlines.vtp')), { name: 'traced.vtp' });
    expect(vtp.vessels.map((v) => v.name)).toEqual(['RCA']);
    expect(vtp.vessels[0]?.points.length).toBe(got.points.length);

    // Removed: measured again without it.
    await page.click('#traced-list li button');
    await settled(page);
    expect(await page.$$eval('#traced-list li', (li) => li.length)).toBe(0);
    expect(((await page.evaluate(() => window.perifatReport)) as Report).vessels).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
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
