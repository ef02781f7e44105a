/**
 * Plausible mistakes that would otherwise become plausible numbers: a centerline that does not run
 * through contrast-filled lumen or runs from distal to ostium, a region left empty by its mask or
 * the axial limits, an input whose reader found it ambiguous. Each is a report warning, or under
 * `strict` an E_INPUT_IMPLAUSIBLE error. Only reads the CT: no GPU, cost bounded by the points
 * sampled (at most SAMPLES per vessel), never by the volume.
 */
import { PerifatError } from '../errors';
import { basename } from '../util/path-name';
import { voxelToWorld, worldToVoxel } from '../volume/geometry';
import type { CtVolume, LabelVolume } from '../volume/volume';
import type { IntCt } from './backend';
import type { MeasureOptions } from './options';
import type { PreparedVessel } from './pericoronary-types';

export class Plausibility {
  constructor(
    private readonly strict: boolean,
    private readonly warnings: string[],
  ) {}

  /** A plausible mistake: said in the report, or refused under strict. */
  doubt(message: string, file?: string): void {
    if (this.strict) {
      throw new PerifatError('E_INPUT_IMPLAUSIBLE', `${message} (refused under --strict)`, {
        ...(file !== undefined ? { file } : {}),
      });
    }
    this.warnings.push(message);
  }

  /** What the readers found ambiguous in the CT and the pericardium mask. */
  inputs(ct: CtVolume, pericardium: LabelVolume | null, o: MeasureOptions): void {
    // A tube voltage the user gave settles the slices' disagreement.
    const ctDoubts = [...(o.kvp === null && ct.kvpDoubt ? [ct.kvpDoubt] : []), ...(ct.doubts ?? [])];
    for (const d of ctDoubts) this.doubt(`input: ${basename(ct.source)}: ${d}`, ct.source);
    for (const d of pericardium?.doubts ?? [])
      this.doubt(`input: ${basename(pericardium?.source ?? '')}: ${d}`, pericardium?.source);
  }

  /**
   * The EAT region after the mask and the axial limits: empty is said (EAT 0 mL is no finding), as
   * are limits outside the volume and slice limits on a CT whose k slices are not axial.
   */
  eatRegion(ct: IntCt, pericardium: LabelVolume, region: Uint8Array, o: MeasureOptions): void {
    const lim = o.axialLimits;
    const [, , nz] = ct.dims;
    if (lim) {
      const lo = Math.min(lim.from, lim.to);
      const hi = Math.max(lim.from, lim.to);
      if (lim.unit === 'slice') {
        if (hi < 0 || lo > nz - 1)
          this.doubt(`axial limits: slices ${lo}–${hi} lie outside the CT's slices 0–${nz - 1}`, ct.source);
        const normal = Math.abs(ct.direction[8]);
        if (normal < AXIAL_COSINE)
          this.doubt(
            `axial limits: the CT's k slices are not axial (slice normal ${normalName(ct)}): slice numbers are not heights; give the limits in mm (patient z)`,
            ct.source,
          );
      } else {
        const [zlo, zhi] = zRange(ct);
        if (hi < zlo || lo > zhi)
          this.doubt(
            `axial limits: z ${lo}–${hi} mm lie outside the CT (z ${zlo.toFixed(1)}–${zhi.toFixed(1)} mm)`,
            ct.source,
          );
      }
    }
    // A native scan first: the region is almost always not empty, and a volume holds 10⁸ voxels.
    if (region.indexOf(1) >= 0) return;
    if (!pericardium.labels.some((l) => l !== 0)) {
      this.doubt(
        'pericardium mask holds no voxel: there is no EAT region (EAT 0 mL is not a finding)',
        pericardium.source,
      );
    } else {
      this.doubt(
        o.pericardiumLabel !== null
          ? `pericardium mask holds no voxel of label ${o.pericardiumLabel}${lim ? ' inside the axial limits' : ''}: the EAT region is empty`
          : 'no pericardium voxel lies inside the axial limits: the EAT region is empty',
        pericardium.source,
      );
    }
  }

  /**
   * Given centerlines (not derived from a lumen mask): each should run through contrast-filled
   * lumen, and from its wider ostium to its narrower distal end.
   */
  vessels(ct: IntCt, vessels: readonly PreparedVessel[], o: MeasureOptions, source: string): void {
    // Lumen-like: well above the fat window (contrast-filled lumen is 250–600 HU in a CCTA).
    const lumenHu = o.window.hi + LUMEN_ABOVE_FAT_HU;
    for (const v of vessels) {
      const share = lumenShare(ct, v, lumenHu);
      if (share < MIN_LUMEN_SHARE) {
        this.doubt(
          `${v.name}: only ${Math.round(share * 100)}% of its centerline points have lumen-like HU (≥ ${lumenHu} HU within the lumen radius): a centerline off the vessel (a shift, another frame of reference), or a scan without contrast?`,
          source,
        );
      }
      const r = taper(v);
      if (r !== null && r.end > r.start * WIDER_DISTAL) {
        this.doubt(
          `${v.name}: the centerline widens along its length (median radius ${r.start.toFixed(2)} mm in its first quarter, ${r.end.toFixed(2)} mm in its last): listed from distal to ostium? Centerlines run from the ostium`,
          source,
        );
      }
    }
  }
}

/** A k axis this close to patient z (cosine) counts as axial: gantry tilts stay below 25°. */
const AXIAL_COSINE = 0.9;
const LUMEN_ABOVE_FAT_HU = 180;
const MIN_LUMEN_SHARE = 0.5;
/** The last quarter's median radius above the first's by this factor: reversed. */
const WIDER_DISTAL = 1.15;
const SAMPLES = 512;

function normalName(ct: IntCt): string {
  const d = ct.direction;
  const n = [Math.abs(d[2]), Math.abs(d[5]), Math.abs(d[8])];
  return ['left–right (sagittal)', 'anterior–posterior (coronal)', 'head–feet'][n.indexOf(Math.max(...n))] as string;
}

/** The patient z (LPS, mm) spanned by the voxel centres. */
function zRange(ct: IntCt): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let c = 0; c < 8; c++) {
    const z = voxelToWorld(ct, [c & 1 ? ct.dims[0] - 1 : 0, c & 2 ? ct.dims[1] - 1 : 0, c & 4 ? ct.dims[2] - 1 : 0])[2];
    lo = Math.min(lo, z);
    hi = Math.max(hi, z);
  }
  return [lo, hi];
}

/**
 * Share of (up to SAMPLES, evenly spread) centerline points whose neighbourhood — the voxels within
 * the lumen radius, at least the nearest voxel — reaches `lumenHu`. A point outside the CT counts
 * as not in lumen.
 */
function lumenShare(ct: IntCt, v: PreparedVessel, lumenHu: number): number {
  const n = v.points.length;
  const step = Math.max(1, n / SAMPLES);
  const [nx, ny, nz] = ct.dims;
  let hits = 0;
  let count = 0;
  for (let t = 0; t < n; t += step) {
    const idx = Math.min(n - 1, Math.floor(t));
    count++;
    const p = v.points[idx] as readonly [number, number, number];
    const r = v.radii[idx] as number;
    const c = worldToVoxel(ct, [p[0], p[1], p[2]]);
    const reach = c.map((_, a) => Math.ceil(r / (ct.spacing[a] as number))) as [number, number, number];
    const ci = c.map(Math.round) as [number, number, number];
    // Whether some voxel of the neighbourhood reaches lumenHu: the first one that does decides.
    let reached = false;
    scan: for (let k = ci[2] - reach[2]; k <= ci[2] + reach[2]; k++) {
      if (k < 0 || k >= nz) continue;
      for (let j = ci[1] - reach[1]; j <= ci[1] + reach[1]; j++) {
        if (j < 0 || j >= ny) continue;
        for (let i = ci[0] - reach[0]; i <= ci[0] + reach[0]; i++) {
          if (i < 0 || i >= nx) continue;
          if ((ct.hu[i + nx * (j + ny * k)] as number) < lumenHu) continue;
          const nearest = i === ci[0] && j === ci[1] && k === ci[2];
          const q = voxelToWorld(ct, [i, j, k]);
          if (!nearest && Math.hypot(q[0] - p[0], q[1] - p[1], q[2] - p[2]) > r) continue;
          reached = true;
          break scan;
        }
      }
    }
    if (reached) hits++;
  }
  return count ? hits / count : 0;
}

/** Median radius of the first and last quarter of the points; null when too short to say. */
function taper(v: PreparedVessel): { start: number; end: number } | null {
  const q = Math.floor(v.radii.length / 4);
  if (q < 2) return null;
  const median = (xs: readonly number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    const m = s.length >> 1;
    return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
  };
  return { start: median(v.radii.slice(0, q)), end: median(v.radii.slice(-q)) };
}
