/**
 * The mean radial profile by group: for each 1 mm ring out from the vessel wall (0–20 mm, the
 * report's `rings`), the mean over cases of the ring's mean fat HU, with its 95 % interval. The
 * attenuation gradient (fat denser near an inflamed wall) is what FAI summarises in one number.
 */
import type { Report } from '../measure/report-types';
import { describe } from './describe';
import { t975 } from './dists';
import type { Profile, RingBand } from './types';

export interface ProfileGroup {
  label: string;
  class: 'positive' | 'negative';
  reports: readonly Report[];
}

export function radialProfile(vessel: string, groups: readonly ProfileGroup[]): Profile {
  const name = vessel.toUpperCase();
  return {
    vessel,
    groups: groups.map((g) => {
      const rings = g.reports.map((r) => r.vessels.find((v) => v.name.toUpperCase() === name)?.rings ?? []);
      const k = Math.max(0, ...rings.map((x) => x.length));
      const bands: RingBand[] = [];
      for (let i = 0; i < k; i++) {
        const at = rings.map((x) => x[i]).filter((x) => x !== undefined);
        const first = at[0];
        const vals = at.map((x) => x.meanHu).filter((v): v is number => v !== null);
        const d = describe(vals);
        const half = d.n > 1 && d.sd !== null ? (t975(d.n - 1) * d.sd) / Math.sqrt(d.n) : null;
        bands.push({
          innerMm: first?.innerMm ?? i,
          outerMm: first?.outerMm ?? i + 1,
          n: d.n,
          mean: d.mean,
          sd: d.sd,
          ci95: half !== null && d.mean !== null ? [d.mean - half, d.mean + half] : null,
        });
      }
      return { label: g.label, class: g.class, cases: rings.filter((x) => x.length > 0).length, rings: bands };
    }),
  };
}
