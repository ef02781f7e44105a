/** The EAT voxels of a measurement as a mask (for mask outputs and display). */
import type { CtVolume, LabelVolume } from '../volume/volume';
import { fatMask } from './masks';
import { withDefaults, type MeasureOptions } from './options';
import { eatLabels, integerCt } from './prepare';

/** 1 where a voxel counts as EAT (inside the pericardium, in the axial limits and the fat window). */
export function eatMask(ct: CtVolume, pericardium: LabelVolume, options: Partial<MeasureOptions> = {}): Uint8Array {
  const o = withDefaults(options);
  const intCt = integerCt(ct, []);
  return fatMask(intCt.hu, eatLabels(intCt, pericardium, o), o.window);
}
