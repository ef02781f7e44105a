/**
 * The README's picture: `npx tsx test/analyze/screenshot.ts ANALYSIS.html docs/analyze.png`
 * renders a report in headless Chromium (as html.test.ts) and saves its first screen.
 */
import { writeFileSync } from 'node:fs';
import { render } from './render';

const [html, out] = process.argv.slice(2);
if (!html || !out) {
  console.error('usage: npx tsx test/analyze/screenshot.ts ANALYSIS.html OUT.png');
  process.exit(2);
}
const r = await render(html, 1240);
try {
  if (r.problems.length > 0 || r.requests.length > 0) throw new Error([...r.problems, ...r.requests].join('\n'));
  const png = await r.page.screenshot({ clip: { x: 0, y: 0, width: 1240, height: 1420 } });
  writeFileSync(out, png);
  console.log(`wrote ${out}`);
} finally {
  await r.browser.close();
}
