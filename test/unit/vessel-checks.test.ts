/**
 * Plausible mistakes in a vessel set never become silent numbers: names that differ only in case,
 * a centerline with every radius 0, a lesion beyond its vessel's end (refused) or running past it
 * (warned).
 */
import { describe, expect, it } from 'vitest';
import { CpuMeasureBackend } from '../../src/backends/cpu/backend';
import { PerifatError } from '../../src/errors';
import { measure } from '../../src/measure/measure';
import { makePhantom } from '../../src/phantom/generate';
import type { VesselSet } from '../../src/volume/vessels';

const p = makePhantom({ dims: [48, 48, 32], spacing: [0.8, 0.8, 1.2] });
const backend = new CpuMeasureBackend('node');
const run = (vessels: VesselSet) => measure({ ct: p.ct, pericardium: null, vessels }, backend);
const [rca, lad] = p.vessels.vessels as [VesselSet['vessels'][number], VesselSet['vessels'][number]];

async function code(work: Promise<unknown>): Promise<string> {
  try {
    await work;
    return 'no error';
  } catch (e) {
    return e instanceof PerifatError ? `${e.code}: ${e.message}` : String(e);
  }
}

describe('vessel sets that cannot be measured as given', () => {
  it('"RCA" and "rca" in one set are refused, naming both', async () => {
    const set = { ...p.vessels, vessels: [rca, { ...lad, name: rca.name.toLowerCase() }], lesions: [] };
    expect(await code(run(set))).toMatch(/^E_CENTERLINE: .*vessels RCA and rca differ only in case/);
  });

  it('a centerline whose every radius is 0 is refused', async () => {
    const set = { ...p.vessels, vessels: [{ ...rca, radii: rca.radii.map(() => 0) }], lesions: [] };
    expect(await code(run(set))).toMatch(/^E_CENTERLINE: .*vessel RCA: every radius is 0/);
  });

  it('a lesion beyond the vessel is refused; one running past its end is measured and warned', async () => {
    const beyond = { ...p.vessels, vessels: [lad], lesions: [{ vessel: 'LAD', startMm: 500, endMm: 510 }] };
    expect(await code(run(beyond))).toMatch(/^E_CENTERLINE: .*lesion on LAD at 500–510 mm lies beyond/);
    const past = { ...p.vessels, vessels: [lad], lesions: [{ vessel: 'LAD', startMm: 10, endMm: 500 }] };
    const r = await run(past);
    expect(r.warnings.join('\n')).toMatch(/lesion on LAD at 10–500 mm runs past the vessel's end/);
    expect(r.lesions).toHaveLength(1);
  });
});
