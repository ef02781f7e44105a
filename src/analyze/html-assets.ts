/**
 * uPlot (a maintained, small canvas plotting library, a dependency of perifat) inlined into the
 * report, so the page reads offline and from a mail attachment: no request leaves it.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { PerifatError } from '../errors';

export interface PlotAssets {
  js: string;
  css: string;
}

export function uplotAssets(): PlotAssets {
  const require = createRequire(import.meta.url);
  try {
    const js = readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8');
    const css = readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8');
    // Inline <script>/<style> end at the first closing tag whatever the quotes: keep them unbroken.
    return { js: js.replace(/<\/(script)/gi, '<\\/$1'), css: css.replace(/<\/(style)/gi, '<\\/$1') };
  } catch (e) {
    throw new PerifatError('E_RUNTIME', `uPlot is not installed (npm install uplot): ${(e as Error).message}`);
  }
}
