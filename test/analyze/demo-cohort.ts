/**
 * Writes the simulated cohort of cohort.test.ts to a folder, for trying `perifat analyze` by hand
 * and for the README's screenshot: `npx tsx test/analyze/demo-cohort.ts /tmp/cohort` writes
 * manifest.csv (41 phantoms: 40 cases and a calibration case) and outcomes.csv (event, stenosis, age).
 */
import { simulateCohort } from './cohort';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: npx tsx test/analyze/demo-cohort.ts DIR');
  process.exit(2);
}
const c = simulateCohort(dir);
console.log(`wrote ${c.manifest} (${c.cases.length + 1} cases) and ${c.outcomes}`);
