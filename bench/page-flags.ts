/**
 * Whether Dawn's disable_workgroup_init (a flag a web page cannot set) still matters: the same
 * measurement in headless Chromium with and without it, fresh browsers each (pipelines compile in
 * every run). The CLI's `--backend webgpu` runs without any Dawn flag, exactly like a page.
 *
 *   npx tsx bench/page-flags.ts [--dims 96x96x64] [--repeats 3]
 */
import { parseArgs } from 'node:util';
import { makePhantom } from '../src/phantom';
import { ChromiumRunner } from '../src/platform/node/chromium';
import { measureInChromium } from '../src/platform/node/measure-chromium';
import { median, parseDims } from './util';

const { values } = parseArgs({
  options: { dims: { type: 'string', default: '96x96x64' }, repeats: { type: 'string', default: '3' } },
});
const dims = parseDims(values.dims);
const phantom = makePhantom({ dims, spacing: [0.5, 0.5, 0.7], noiseSd: 10, seed: 4 });
const input = { ct: phantom.ct, pericardium: phantom.pericardium, vessels: phantom.vessels };
const result: Record<string, unknown> = { bench: 'page-flags', dims };
for (const [label, extraFlags] of [
  ['page (no Dawn flags, = perifat measure --backend webgpu)', []],
  ['with --enable-dawn-features=disable_workgroup_init', ['--enable-dawn-features=disable_workgroup_init']],
] as const) {
  const walls: number[] = [];
  for (let r = 0; r < Number(values.repeats); r++) {
    const runner = await ChromiumRunner.start({ extraFlags: [...extraFlags] });
    try {
      const t = performance.now();
      await measureInChromium(runner, input);
      walls.push(performance.now() - t);
    } finally {
      await runner.close();
    }
  }
  result[label] = { medianMs: Math.round(median(walls)), wallsMs: walls.map(Math.round) };
}
console.log(JSON.stringify(result, null, 2));
