/**
 * Opens analysis.html in headless Chromium (Debian's /usr/bin/chromium or PERIFAT_BROWSER, via
 * puppeteer-core, flags as src/platform/node/chromium.ts: --headless=new, --no-sandbox only as root)
 * and collects what a reader's browser would complain about: console errors, page errors and
 * any request besides the file itself (the page must read offline).
 */
import { pathToFileURL } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { findBrowser } from '../../src/platform/node/chromium';
import { decodePng } from '../helpers/png';

export interface Rendered {
  browser: Browser;
  page: Page;
  /** Console messages of type error or warning, and uncaught page errors. */
  problems: string[];
  /** URLs the page asked for, besides its own. */
  requests: string[];
}

export async function render(htmlPath: string, width = 1280): Promise<Rendered> {
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const browser = await puppeteer.launch({
    executablePath: findBrowser(),
    headless: true,
    pipe: true,
    args: ['--headless=new', '--no-first-run', '--disable-background-networking', ...(asRoot ? ['--no-sandbox'] : [])],
  });
  const page = await browser.newPage();
  const problems: string[] = [];
  const requests: string[] = [];
  const own = pathToFileURL(htmlPath).href;
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warn') problems.push(`${m.type()}: ${m.text()}`);
  });
  let failed: (e: Error) => void = () => {};
  const broken = new Promise<never>((_, reject) => {
    failed = reject;
  });
  broken.catch(() => {});
  page.on('pageerror', (e) => {
    problems.push(`pageerror: ${(e as Error).message}`);
    failed(new Error(`the page threw: ${(e as Error).message}`));
  });
  page.on('request', (r) => {
    if (r.url() !== own) requests.push(r.url());
  });
  try {
    await page.setViewport({ width, height: 900, deviceScaleFactor: 1 });
    await page.goto(own, { waitUntil: 'load' });
    // The page script marks the body when every chart is drawn; an exception fails at once.
    await Promise.race([page.waitForSelector('body[data-charts-drawn]', { timeout: 10_000 }), broken]);
  } catch (e) {
    await browser.close();
    throw e;
  }
  return { browser, page, problems, requests };
}

/** Fraction of pixels of a PNG that are not the page background. */
export function inkFraction(png: Uint8Array): number {
  const px = decodePng(png).rgba;
  let ink = 0;
  for (let i = 0; i < px.length; i += 4)
    if ((px[i] as number) < 240 || (px[i + 1] as number) < 240 || (px[i + 2] as number) < 240) ink++;
  return ink / (px.length / 4);
}
