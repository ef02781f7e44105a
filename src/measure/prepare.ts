/**
 * Turns loaded inputs into what backends take: int16 HU, an EAT labelmap with axial limits,
 * vessels with arc lengths and segments, lesions by vessel index. Problems with the inputs are
 * typed errors; questionable but usable inputs become report warnings.
 */
import { PerifatError } from '../errors';
import { sameGrid, voxelToWorld } from '../volume/geometry';
import { isIntegralInt16, toInt16, type CtVolume, type LabelVolume } from '../volume/volume';
import { DEFAULT_MAX_POINTS, MAX_RADIUS_MM, arcLengths, type VesselSet } from '../volume/vessels';
import type { IntCt } from './backend';
import { type MeasureOptions, segmentFor } from './options';
import { MAX_VESSELS, type PreparedLesion, type PreparedVessel } from './pericoronary-types';

/**
 * int16 HU for the kernels. Non-integral float HU are rounded to 1 HU, with a warning. Values
 * outside int16 are not clamped: they are refused (a signedness or rescale mismatch makes them, and
 * measuring them would be wrong).
 */
export function integerCt(ct: CtVolume, warnings: string[]): IntCt {
  if (ct.hu instanceof Int16Array) return ct as IntCt;
  if (isIntegralInt16(ct.hu)) return { ...ct, hu: toInt16(ct.hu) };
  const hu = new Int16Array(ct.hu.length);
  for (let i = 0; i < hu.length; i++) {
    const v = Math.round(ct.hu[i] as number);
    if (!(v >= -32768 && v <= 32767)) {
      throw new PerifatError(
        'E_INPUT_VALUE',
        `voxel ${i} is ${ct.hu[i]} HU after rescale, outside the CT range: a signedness or rescale (slope/intercept) mismatch?`,
        { file: ct.source },
      );
    }
    hu[i] = v;
  }
  warnings.push('CT values are not integer HU: rounded to the nearest HU (histograms use 1 HU bins)');
  return { ...ct, hu };
}

/**
 * Pericardium labelmap → EAT region (label 1) within the axial limits. A map with several labels
 * is taken only with the label named (o.pericardiumLabel): counting every non-zero label of a
 * multi-label map would count the chambers and vessels as pericardium. A 0/1 mask taken whole (no
 * label named, no axial limits) is its own region: the mask's array is returned, not a copy (a
 * fresh array of the CT's size costs more in page faults than the pass itself); callers only read it.
 */
export function eatLabels(ct: IntCt, pericardium: LabelVolume, o: MeasureOptions): Uint8Array {
  if (!sameGrid(ct, pericardium)) {
    throw new PerifatError('E_MASK_GRID', 'pericardium mask is not on the CT grid (resample it on load)', {
      file: pericardium.source,
    });
  }
  const labels = pericardium.labels;
  const want = o.pericardiumLabel;
  const lim = o.axialLimits;
  if (want === null && !lim && zeroOne(labels)) return labels;
  const [nx, ny, nz] = ct.dims;
  const slice = nx * ny;
  const out = new Uint8Array(labels.length);
  const d = ct.direction;
  // Whole k slices in or out: slice limits, or mm limits on a grid whose z depends on k alone.
  const bySlice = !lim || lim.unit === 'slice' || (d[6] === 0 && d[7] === 0);
  // Without a label to take, a map holding two non-zero labels is refused; it is seen in the same
  // pass (every slice, inside the limits or not), the list of labels made only for the message.
  let first = 0;
  let mixed = false;
  for (let k = 0; k < nz; k++) {
    const inside = !bySlice || insideAxialLimits(ct, 0, 0, k, o);
    if (want === null) {
      for (let n = k * slice, end = n + slice; n < end; n++) {
        const l = labels[n] as number;
        if (l === 0) continue;
        if (l !== first) {
          if (first === 0) first = l;
          else mixed = true;
        }
        if (inside) out[n] = 1;
      }
    } else if (inside) {
      for (let n = k * slice, end = n + slice; n < end; n++) if (labels[n] === want) out[n] = 1;
    }
    if (bySlice) continue;
    // mm limits on an oblique grid: voxel by voxel.
    for (let j = 0; j < ny; j++) {
      for (let i = 0, n = k * slice + j * nx; i < nx; i++, n++) {
        if (out[n] === 1 && !insideAxialLimits(ct, i, j, k, o)) out[n] = 0;
      }
    }
  }
  if (mixed) {
    const present = labelsPresent(labels);
    throw new PerifatError(
      'E_INPUT_VALUE',
      `holds ${present.length} labels (${present.slice(0, 12).join(', ')}${present.length > 12 ? ', …' : ''}): a multi-label map; name the pericardium's label (--label N)`,
      { file: pericardium.source },
    );
  }
  return out;
}

/** Whether every label is 0 or 1 (stops at the first that is not). */
function zeroOne(labels: Uint8Array): boolean {
  for (let n = 0; n < labels.length; n++) if ((labels[n] as number) > 1) return false;
  return true;
}

/** The distinct non-zero labels of a map, ascending. */
function labelsPresent(labels: Uint8Array): number[] {
  const seen = new Uint8Array(256);
  for (let n = 0; n < labels.length; n++) seen[labels[n] as number] = 1;
  const out: number[] = [];
  for (let l = 1; l < 256; l++) if (seen[l]) out.push(l);
  return out;
}

/**
 * Whether voxel (i, j, k) lies within the axial limits. Slices: the k index. mm: the patient z
 * (LPS, superior positive) of the voxel's own centre, so that the limits are a slab of the patient
 * in any orientation (on an axial grid every voxel of a k slice has its z).
 */
function insideAxialLimits(ct: IntCt, i: number, j: number, k: number, o: MeasureOptions): boolean {
  const lim = o.axialLimits;
  if (!lim) return true;
  const lo = Math.min(lim.from, lim.to);
  const hi = Math.max(lim.from, lim.to);
  if (lim.unit === 'slice') return k >= lo && k <= hi;
  const z = voxelToWorld(ct, [i, j, k])[2];
  return z >= lo && z <= hi;
}

export function prepareVessels(
  set: VesselSet,
  o: MeasureOptions,
  warnings: string[],
): { vessels: PreparedVessel[]; lesions: PreparedLesion[] } {
  if (set.vessels.length > MAX_VESSELS) {
    throw new PerifatError(
      'E_CENTERLINE',
      `at most ${MAX_VESSELS} vessels per measurement, got ${set.vessels.length}`,
      {
        file: set.source,
      },
    );
  }
  const budget = set.maxPoints ?? DEFAULT_MAX_POINTS;
  const points = set.vessels.reduce((n, v) => n + v.points.length, 0);
  if (points > budget) {
    throw new PerifatError('E_TOO_LARGE', `${points} centerline points in all (limit ${budget})`, {
      file: set.source,
    });
  }
  // Names are matched case-insensitively (segments, lesions, flags): "RCA" and "rca" are one name.
  const seen = new Map<string, string>();
  const vessels = set.vessels.map((v, index): PreparedVessel => {
    const earlier = seen.get(v.name.toUpperCase());
    if (earlier !== undefined)
      throw new PerifatError(
        'E_CENTERLINE',
        earlier === v.name
          ? `vessel ${v.name} appears twice`
          : `vessels ${earlier} and ${v.name} differ only in case: name them apart`,
        { file: set.source },
      );
    seen.set(v.name.toUpperCase(), v.name);
    if (v.points.length < 2 || v.radii.length !== v.points.length) {
      throw new PerifatError('E_CENTERLINE', `vessel ${v.name} needs ≥ 2 points and one radius per point`, {
        file: set.source,
      });
    }
    // Vessels built by an app (not read from a file) get the readers' checks here.
    if (
      !v.points.every((p) => p.every((x) => Number.isFinite(x))) ||
      !v.radii.every((r) => r >= 0 && r <= MAX_RADIUS_MM)
    ) {
      throw new PerifatError(
        'E_CENTERLINE',
        `vessel ${v.name}: points must be finite and radii 0–${MAX_RADIUS_MM} mm`,
        {
          file: set.source,
        },
      );
    }
    if (v.radii.every((r) => r === 0))
      throw new PerifatError(
        'E_CENTERLINE',
        `vessel ${v.name}: every radius is 0 (a centerline without its lumen radius; METHOD.md §1 needs it)`,
        { file: set.source },
      );
    const arcMm = arcLengths(v.points);
    const length = arcMm[arcMm.length - 1] as number;
    const asked = segmentFor(v.name, o);
    // A vessel without a default segment is measured over its whole length.
    const segmentMm: [number, number] = [asked[0], Number.isFinite(asked[1]) ? asked[1] : length];
    if (Number.isFinite(segmentMm[1]) && length < segmentMm[1]) {
      warnings.push(
        `${v.name}: centerline is ${length.toFixed(1)} mm long, shorter than its segment ` +
          `${segmentMm[0]}–${segmentMm[1]} mm; measured to its end`,
      );
    }
    return { name: v.name, index, points: v.points, radii: v.radii, arcMm, segmentMm };
  });
  const lesions = set.lesions.map((l): PreparedLesion => {
    const vessel =
      vessels.find((v) => v.name === l.vessel) ?? vessels.find((v) => v.name.toUpperCase() === l.vessel.toUpperCase());
    if (!vessel) {
      throw new PerifatError('E_CENTERLINE', `lesion on unknown vessel ${l.vessel}`, { file: set.source });
    }
    if (!(l.endMm > l.startMm)) {
      throw new PerifatError(
        'E_CENTERLINE',
        `lesion on ${l.vessel}: end ${l.endMm} mm must exceed start ${l.startMm} mm`,
        {
          file: set.source,
        },
      );
    }
    const length = vessel.arcMm[vessel.arcMm.length - 1] as number;
    if (l.startMm >= length)
      throw new PerifatError(
        'E_CENTERLINE',
        `lesion on ${l.vessel} at ${l.startMm}–${l.endMm} mm lies beyond the vessel's end (${length.toFixed(1)} mm)`,
        { file: set.source },
      );
    if (l.endMm > length)
      warnings.push(
        `lesion on ${l.vessel} at ${l.startMm}–${l.endMm} mm runs past the vessel's end (${length.toFixed(1)} mm): measured to its end`,
      );
    return { vesselIndex: vessel.index, startMm: l.startMm, endMm: l.endMm };
  });
  return { vessels, lesions };
}
