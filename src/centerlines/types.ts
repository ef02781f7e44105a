/**
 * Centerlines derived by perifat itself (from a coronary mask, or traced on the CT from a few
 * points): what every derivation returns, so a report can record how its vessels were made and a
 * rerun with `--vessels` reproduces them.
 */
import type { Vec3 } from '../volume/geometry';
import type { Vessel } from '../volume/vessels';

/** A decision that could be wrong, said in the output and in the report. */
export interface CenterlineWarning {
  /** Stable code, e.g. 'ostium-missing', 'two-components', 'gap-bridged', 'aorta-from-contrast'. */
  readonly code: string;
  readonly message: string;
  /** The vessel it concerns, when one. */
  readonly vessel?: string;
}

export type CenterlineMethod = 'mask' | 'trace';

export interface DerivedCenterlines {
  readonly method: CenterlineMethod;
  /** Named vessels, each from its ostium distally (stem repeated exactly), LPS mm, radii in mm. */
  readonly vessels: Vessel[];
  /** Ostium per side ('right' | 'left'), LPS mm, and how it was found. */
  readonly ostia: readonly {
    readonly side: 'right' | 'left' | 'unknown';
    readonly point: Vec3;
    readonly from: 'aorta-mask' | 'aorta-contrast' | 'most-proximal' | 'click';
  }[];
  readonly warnings: CenterlineWarning[];
  /** Work and parameters, for the report's diagnostics (numbers only). */
  readonly stats: Readonly<Record<string, number>>;
}
