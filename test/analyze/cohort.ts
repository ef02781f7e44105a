/**
 * A simulated cohort for `perifat analyze`: phantoms whose RCA pericoronary fat gradient (the
 * fat-law amplitude A, src/phantom) depends on a hidden label. A ~ N(mu1, sd) for label 1 and
 * N(mu0, sd) for label 0, so the population AUC of any strictly increasing function of A (FAI is
 * one, up to a little voxel noise) is Φ((mu1 − mu0) / (sd·√2)), and the Youden-optimal cut-off
 * (equal variances) is the FAI of A = (mu0 + mu1) / 2, measured on an extra calibration phantom.
 * Writes a batch manifest and an outcomes CSV (event = the label; stenosis, continuous, rising
 * with A; age, unrelated), plus one outcome row without a case.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makePhantom } from '../../src/phantom';
import { vesselsJson } from '../../src/platform/node/phantom-files';
import { Rng } from '../../src/phantom/rng';
import { writeNifti } from '../../src/platform/node/write';

export interface CohortOptions {
  nPerClass: number;
  mu0: number;
  mu1: number;
  sd: number;
  seed: number;
}

export const COHORT: CohortOptions = { nPerClass: 20, mu0: 38, mu1: 58, sd: 12, seed: 7 };

export interface SimCase {
  caseId: string;
  label: 0 | 1;
  amplitude: number;
}

export interface SimCohort {
  manifest: string;
  outcomes: string;
  cases: SimCase[];
  /** A case measured but without an outcome row: the phantom at the midpoint amplitude. */
  calibration: SimCase;
  /** An outcome row without a measured case. */
  ghost: string;
}

const DIMS: [number, number, number] = [56, 56, 40];
const SPACING: [number, number, number] = [0.7, 0.7, 1];

export function simulateCohort(dir: string, o: CohortOptions = COHORT): SimCohort {
  const rng = new Rng(o.seed);
  mkdirSync(join(dir, 'ct'), { recursive: true });
  const cases: SimCase[] = [];
  for (let i = 0; i < 2 * o.nPerClass; i++) {
    const label = (i % 2) as 0 | 1;
    const amplitude = (label ? o.mu1 : o.mu0) + o.sd * rng.gauss();
    cases.push({ caseId: `sim-${String(i).padStart(3, '0')}`, label, amplitude });
  }
  const calibration: SimCase = { caseId: 'calibration', label: 0, amplitude: (o.mu0 + o.mu1) / 2 };
  const rows = ['caseId,ct,pericardium,vessels,kvp'];
  [...cases, calibration].forEach((c, i) => {
    const ph = makePhantom({
      dims: DIMS,
      spacing: SPACING,
      noiseSd: 6,
      seed: 100 + i,
      fatAmplitude: { RCA: c.amplitude },
    });
    if (i === 0) {
      // Anatomy and centerlines are the same in every case: one mask and one centerline file.
      writeNifti(ph.pericardium, join(dir, 'pericardium.nii.gz'));
      writeFileSync(join(dir, 'vessels.json'), JSON.stringify(vesselsJson(ph.vessels)));
    }
    writeNifti(ph.ct, join(dir, 'ct', `${c.caseId}.nii.gz`));
    rows.push(`${c.caseId},ct/${c.caseId}.nii.gz,pericardium.nii.gz,vessels.json,120`);
  });
  const manifest = join(dir, 'manifest.csv');
  writeFileSync(manifest, `${rows.join('\n')}\n`);
  const ghost = 'ghost-001';
  const out = ['caseId,event,stenosis,age'];
  for (const c of cases) {
    const stenosis = Math.round(30 + 0.8 * (c.amplitude - 48) + 8 * rng.gauss());
    out.push(`${c.caseId},${c.label ? 'yes' : 'no'},${stenosis},${Math.round(60 + 9 * rng.gauss())}`);
  }
  out.push(`${ghost},no,25,58`);
  const outcomes = join(dir, 'outcomes.csv');
  writeFileSync(outcomes, `${out.join('\n')}\n`);
  return { manifest, outcomes, cases, calibration, ghost };
}
