/**
 * The slice viewer: niivue (WebGL2) shows the CT and perifat's layers as overlays — the fat
 * window, the EAT voxels, each vessel's rings coloured by distance from the wall, the centerlines.
 * perifat computes the layers; niivue only displays them.
 */
import { NVImage, Niivue, SLICE_TYPE } from '@niivue/niivue';
import {
  centerlineLayer,
  DEFAULT_OPTIONS,
  eatMask,
  encodeNiftiFile,
  fatWindowLayer,
  ringDistanceLayer,
  type CtVolume,
  type LabelVolume,
  type MeasureLayers,
  type Report,
  type VesselSet,
} from '../src/api/index';

export interface Shown {
  readonly report: Report;
  readonly layers: MeasureLayers | null;
  readonly input: { ct: CtVolume; pericardium: LabelVolume | null; vessels: VesselSet | null };
}

export type Overlay = 'fat' | 'eat' | 'rings' | 'lines';
export type View = 'axial' | 'coronal' | 'sagittal' | 'multi';
export const WINDOWS = { soft: [-160, 240], fat: [-250, 50], calcium: [-450, 1050] } as const;

const OVERLAY_STYLE: Record<Overlay, { colormap: string; opacity: number; max: number }> = {
  fat: { colormap: 'blue', opacity: 0.35, max: 1 },
  eat: { colormap: 'red', opacity: 0.6, max: 1 },
  rings: { colormap: 'plasma', opacity: 0.45, max: 20 },
  lines: { colormap: 'green', opacity: 1, max: 1 },
};

export class Viewer {
  private readonly nv: Niivue;
  private readonly index = new Map<Overlay, number>();
  private visible: Record<Overlay, boolean> = { fat: false, eat: true, rings: true, lines: true };
  private view: View = 'axial';

  private constructor(nv: Niivue) {
    this.nv = nv;
  }

  static async attach(canvas: HTMLCanvasElement): Promise<Viewer> {
    const nv = new Niivue({
      backColor: [0, 0, 0, 1],
      dragAndDropEnabled: false,
      isColorbar: false,
      loadingText: '',
      crosshairWidth: 0.5,
      crosshairColor: [0.2, 0.8, 1, 0.6],
    });
    await nv.attachToCanvas(canvas);
    return new Viewer(nv);
  }

  /** Replaces what is shown by this measurement's CT and layers. */
  async show(shown: Shown, window: readonly [number, number]): Promise<void> {
    const { ct, pericardium, vessels } = shown.input;
    for (const v of [...this.nv.volumes]) this.nv.removeVolume(v);
    this.index.clear();
    const volume = async (
      name: string,
      data: Uint8Array | Int16Array | Float32Array,
      style: { colormap: string; opacity: number; min: number; max: number },
    ) => {
      const bytes = encodeNiftiFile(
        data instanceof Uint8Array ? { ...ct, labels: data, source: name } : { ...ct, hu: data, source: name },
        `${name}.nii`,
      );
      const image = await NVImage.loadFromUrl({
        url: `${name}.nii`,
        name: `${name}.nii`,
        buffer: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
        colormap: style.colormap,
        opacity: style.opacity,
        cal_min: style.min,
        cal_max: style.max,
      });
      this.nv.addVolume(image);
      return this.nv.volumes.length - 1;
    };
    await volume('ct', ct.hu, { colormap: 'gray', opacity: 1, min: window[0], max: window[1] });
    const overlay = async (which: Overlay, data: Uint8Array) => {
      const s = OVERLAY_STYLE[which];
      this.index.set(
        which,
        await volume(which, data, { colormap: s.colormap, opacity: s.opacity, min: 0.5, max: s.max }),
      );
    };
    await overlay('fat', fatWindowLayer(ct.hu, DEFAULT_OPTIONS.window));
    if (pericardium) await overlay('eat', eatMask(ct, pericardium));
    if (shown.layers) await overlay('rings', ringDistanceLayer(ct.dims, shown.layers));
    if (vessels) await overlay('lines', centerlineLayer(ct, vessels));
    this.applyVisibility();
    this.setView(this.view);
    // Start on a slice through the first centerline, where the rings are.
    const first = vessels?.vessels[0]?.points[Math.floor((vessels.vessels[0]?.points.length ?? 0) / 3)];
    if (first) {
      const frac = this.nv.mm2frac([-first[0], -first[1], first[2]]);
      this.nv.scene.crosshairPos = frac;
    }
    this.nv.drawScene();
  }

  setWindow(window: readonly [number, number]): void {
    const ct = this.nv.volumes[0];
    if (!ct) return;
    ct.cal_min = window[0];
    ct.cal_max = window[1];
    this.nv.updateGLVolume();
  }

  setOverlay(which: Overlay, on: boolean): void {
    this.visible = { ...this.visible, [which]: on };
    this.applyVisibility();
  }

  setView(view: View): void {
    this.view = view;
    const type = {
      axial: SLICE_TYPE.AXIAL,
      coronal: SLICE_TYPE.CORONAL,
      sagittal: SLICE_TYPE.SAGITTAL,
      multi: SLICE_TYPE.MULTIPLANAR,
    }[view];
    this.nv.setSliceType(type);
  }

  /** One slice further along the view's axis (axial: z, coronal: y, sagittal: x). */
  step(delta: number): void {
    const axis = this.view === 'coronal' ? 1 : this.view === 'sagittal' ? 0 : 2;
    this.nv.moveCrosshairInVox(axis === 0 ? delta : 0, axis === 1 ? delta : 0, axis === 2 ? delta : 0);
  }

  private applyVisibility(): void {
    for (const [which, idx] of this.index) {
      this.nv.setOpacity(idx, this.visible[which] ? OVERLAY_STYLE[which].opacity : 0);
    }
  }
}
