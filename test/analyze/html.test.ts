/**
 * analysis.html renders in headless Chromium: no console error, no request leaves the page (uPlot
 * is inlined, a CSP forbids the rest), every chart is drawn, and a screenshot is not blank.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main';
import { writeFakeCohort } from './fake-reports';
import { inkFraction, render, type Rendered } from './render';

let dir: string;
let html: string;
let r: Rendered | null = null;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perifat-analyze-html-'));
  writeFakeCohort(dir, 40);
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  const code = await main([
    'analyze',
    '--results',
    dir,
    '--outcomes',
    join(dir, 'outcomes.csv'),
    '--outcome',
    'event,stenosis',
    '--marker',
    'faiHu120:RCA,faiHu120:LAD,lesion.faiHu:LAD',
    '--covariates',
    'age,sex',
    '--out',
    join(dir, 'analysis'),
  ]);
  log.mockRestore();
  expect(code).toBe(0);
  html = join(dir, 'analysis', 'analysis.html');
  r = await render(html);
}, 60_000);
afterAll(async () => {
  await r?.browser.close();
  rmSync(dir, { recursive: true, force: true });
});

it('is one self-contained file: uPlot inlined, nothing fetched', () => {
  const text = readFileSync(html, 'utf8');
  expect(text).toMatch(
    /Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-[^']+' 'sha256-[^']+';/,
  );
  expect(text).not.toMatch(/<script[^>]+src=|<link[^>]+href=/);
  expect(r!.requests).toEqual([]);
  expect(r!.problems).toEqual([]);
});

it('draws every chart: ROC, radial profiles, scatter plots, and the box/strip plots', async () => {
  const page = r!.page;
  // 1 ROC + 2 profiles (RCA, LAD) for the binary outcome; 3 scatters for the continuous one.
  expect(await page.$eval('body', (b) => b.getAttribute('data-charts-drawn'))).toBe('6');
  expect(await page.$$eval('.uplot canvas', (cs) => cs.length)).toBe(6);
  // Each canvas holds drawn pixels (not an empty chart).
  const inked = await page.$$eval('.uplot canvas', (cs) =>
    cs.map((c) => {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4) if ((d[i] as number) > 0) n++;
      return n;
    }),
  );
  expect(inked.every((n) => n > 500)).toBe(true);
  expect(await page.$$eval('svg.box circle', (cs) => cs.length)).toBe(3 * 40);
  expect(await page.$$eval('table', (ts) => ts.length)).toBeGreaterThanOrEqual(6);
});

it('a screenshot is not blank', async () => {
  const png = await r!.page.screenshot({ fullPage: false });
  const ink = inkFraction(png);
  expect(ink).toBeGreaterThan(0.03);
  expect(ink).toBeLessThan(0.9);
});
