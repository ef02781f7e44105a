/**
 * The slice viewer: niivue (WebGL2) shows the CT and perifat's layers as overlays — the fat
 * window, the EAT voxels, each vessel's rings coloured by distance from the wall, each vessel's VOI
 * in its colour (shown or hidden per vessel; a hidden vessel's rings are hidden too), the lesions'
 * VOIs, the centerlines. perifat computes the layers; niivue only displays them.
 */
import { NVImage, Niivue, SLICE_TYPE } from '@niivue/niivue';
import {
  centerlineLayer,
  DEFAULT_OPTIONS,
  eatMask,
  encodeNiftiFile,
  fatWindowLayer,
  lesionVoiLayer,
  ringDistanceLayer,
  voiLayer,
  type CtVolume,
  type LabelVolume,
  type MeasureLayers,
  type Report,
  type VesselSet,
} from '../src/api/index';
import { LESION_COLOUR, rgb, vesselColour } from './palette';

/** An LPS point (mm), as perifat's volumes and centerlines are. */
export type Lps = [number, number, number];

/** niivue's world space is RAS: x and y flip between it and perifat's LPS. */
const toRas = (p: readonly number[]): [number, number, number] => [
  -(p[0] as number),
  -(p[1] as number),
  p[2] as number,
];

export interface Shown {
  readonly report: Report;
  readonly layers: MeasureLayers | null;
  readonly input: { ct: CtVolume; pericardium: LabelVolume | null; vessels: VesselSet | null };
}

/** Overlays shown or hidden as a whole; the VOIs are shown or hidden per vessel (`setVesselShown`). */
export type Overlay = 'fat' | 'eat' | 'rings' | 'lesions' | 'lines';
type Layer = Overlay | 'voi';
export type View = 'axial' | 'coronal' | 'sagittal' | 'multi';
export const WINDOWS = { soft: [-160, 240], fat: [-250, 50], calcium: [-450, 1050] } as const;

// Drawn in this order (later over earlier). VOI and lesions are labelmaps coloured by a label table.
const OVERLAY_STYLE: Record<Layer, { colormap: string; opacity: number; max: number }> = {
  fat: { colormap: 'blue', opacity: 0.35, max: 1 },
  eat: { colormap: 'red', opacity: 0.6, max: 1 },
  rings: { colormap: 'plasma', opacity: 0.45, max: 20 },
  voi: { colormap: 'gray', opacity: 0.65, max: 1 },
  lesions: { colormap: 'gray', opacity: 0.65, max: 1 },
  lines: { colormap: 'green', opacity: 1, max: 1 },
};

type LabelTable = Parameters<NVImage['setColormapLabel']>[0];

/** Label 0 transparent, label 1 + i in colours[i] (transparent where hidden[i]). */
function labelTable(colours: readonly string[], names: readonly string[], hidden: readonly boolean[] = []): LabelTable {
  const c = colours.map(rgb);
  return {
    I: [0, ...c.map((_, i) => i + 1)],
    R: [0, ...c.map((x) => x[0])],
    G: [0, ...c.map((x) => x[1])],
    B: [0, ...c.map((x) => x[2])],
    A: [0, ...c.map((_, i) => (hidden[i] ? 0 : 255))],
    labels: ['', ...names],
  };
}

export class Viewer {
  private readonly nv: Niivue;
  private readonly index = new Map<Layer, number>();
  private visible: Record<Overlay, boolean> = { fat: false, eat: true, rings: true, lesions: true, lines: true };
  private view: View = 'axial';
  /** What the per-vessel toggles act on: the measurement's layers, its grid and vessel names. */
  private vessels: { layers: MeasureLayers; dims: CtVolume['dims']; names: readonly string[] } | null = null;
  private hiddenVessels: boolean[] = [];
  /** The CT shown and the centerlines drawn in its 'lines' overlay (with the points being traced). */
  private ct: CtVolume | null = null;
  private lines: { vessels: VesselSet | null; points: readonly Lps[] } = { vessels: null, points: [] };
  /** Trace mode: where a click on a slice goes (null: clicks only move the crosshair). */
  private onPick: ((lps: Lps) => void) | null = null;
  /** The crosshair moved since the mouse went down: the click landed on a slice. */
  private moved = false;

  private constructor(nv: Niivue, canvas: HTMLCanvasElement) {
    this.nv = nv;
    // A click is a mouse down (niivue moves the crosshair to the voxel under it, and says so with
    // onLocationChange) and its mouse up. Pointer events come before niivue's mouse listeners.
    canvas.addEventListener('pointerdown', () => {
      this.moved = false;
    });
    nv.onLocationChange = () => {
      this.moved = true;
    };
    nv.onMouseUp = (data) => {
      const left = !data.mouseButtonRightDown && !data.mouseButtonCenterDown;
      if (this.onPick && left && this.moved && this.ct) this.onPick(this.crosshairLps());
      this.moved = false;
    };
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
    return new Viewer(nv, canvas);
  }

  /** Replaces what is shown by this measurement's CT and layers. */
  async show(shown: Shown, window: readonly [number, number]): Promise<void> {
    const { ct, pericardium, vessels } = shown.input;
    for (const v of [...this.nv.volumes]) this.nv.removeVolume(v);
    this.index.clear();
    this.vessels = null;
    this.hiddenVessels = [];
    this.ct = ct;
    this.lines = { vessels, points: this.lines.points };
    const volume = async (
      name: string,
      data: Uint8Array | Int16Array | Float32Array,
      style: { colormap: string; opacity: number; min: number; max: number; labels?: LabelTable },
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
      if (style.labels) image.setColormapLabel(style.labels);
      this.nv.addVolume(image);
      return this.nv.volumes.length - 1;
    };
    await volume('ct', ct.hu, { colormap: 'gray', opacity: 1, min: window[0], max: window[1] });
    const overlay = async (which: Layer, data: Uint8Array, labels?: LabelTable) => {
      const s = OVERLAY_STYLE[which];
      this.index.set(
        which,
        await volume(which, data, {
          colormap: s.colormap,
          opacity: s.opacity,
          min: 0.5,
          max: s.max,
          ...(labels ? { labels } : {}),
        }),
      );
    };
    await overlay('fat', fatWindowLayer(ct.hu, DEFAULT_OPTIONS.window));
    if (pericardium) await overlay('eat', eatMask(ct, pericardium));
    const m = shown.layers;
    if (m && m.vessels.length > 0) {
      const names = m.vessels;
      this.vessels = { layers: m, dims: ct.dims, names };
      this.hiddenVessels = names.map(() => false);
      await overlay('rings', ringDistanceLayer(ct.dims, m));
      await overlay(
        'voi',
        voiLayer(ct.dims, m),
        labelTable(
          names.map((_, i) => vesselColour(i).hex),
          names,
        ),
      );
      const lesions = shown.report.lesions;
      if (lesions.length > 0 && m.layers.lesions.length > 0) {
        await overlay(
          'lesions',
          lesionVoiLayer(ct.dims, m),
          labelTable(
            lesions.map(() => LESION_COLOUR.hex),
            lesions.map((l) => `lesion ${l.vessel} ${l.startMm}–${l.endMm} mm`),
          ),
        );
      }
    }
    // Always there (empty without centerlines): a trace draws its points and path into it.
    await overlay('lines', this.linesLayer());
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

  /**
   * Trace mode: each click on a slice (the voxel under it, snapped to its centre) is handed to
   * `onPick` as LPS mm; null ends it.
   */
  setPicking(onPick: ((lps: Lps) => void) | null): void {
    this.onPick = onPick;
    this.nv.opts.isForceMouseClickToVoxelCenters = onPick !== null;
  }

  /** Redraws the centerlines overlay: these centerlines and a small cross at each traced point. */
  setLines(vessels: VesselSet | null, points: readonly Lps[]): void {
    this.lines = { vessels, points };
    const lines = this.volumeOf('lines');
    if (!lines || !this.ct) return;
    const layer = this.linesLayer();
    if (!(lines.img instanceof Uint8Array) || lines.img.length !== layer.length) {
      throw new Error('the centerline overlay is not the uint8 layer it was built from');
    }
    lines.img.set(layer);
    this.nv.updateGLVolume();
  }

  /** The crosshair's voxel centre, LPS mm. */
  crosshairLps(): Lps {
    return toRas(this.nv.frac2mm(this.nv.scene.crosshairPos, 0, true) as unknown as number[]);
  }

  /**
   * Goes to the slice through an LPS point (the crosshair on it) and says where on the page it is
   * drawn (CSS pixels, viewport): what a user clicks to pick it. Null when it is not on a slice shown.
   */
  pageXYOf(lps: Lps): { x: number; y: number } | null {
    const frac = this.nv.mm2frac(toRas(lps));
    this.nv.scene.crosshairPos = frac;
    this.nv.drawScene();
    const pos = this.nv.frac2canvasPos(frac);
    if (!pos) return null;
    const canvas = this.nv.canvas;
    if (!canvas) return null;
    const rect = canvas.getBoundingClientRect();
    return {
      x: rect.left + ((pos[0] as number) * rect.width) / canvas.width,
      y: rect.top + ((pos[1] as number) * rect.height) / canvas.height,
    };
  }

  private linesLayer(): Uint8Array {
    const ct = this.ct as CtVolume;
    const { vessels, points } = this.lines;
    // Each traced point as a cross 3 mm wide along the three axes (one polyline through its arms);
    // the last 200 (a label per line, and a layer holds 255).
    const cross = (p: Lps) => {
      const at = (axis: number, d: number): Lps => p.map((x, c) => (c === axis ? x + d : x)) as Lps;
      const arms = [at(0, -1.5), at(0, 1.5), p, at(1, -1.5), at(1, 1.5), p, at(2, -1.5), at(2, 1.5)];
      return { name: 'point', points: arms, radii: arms.map(() => 0) };
    };
    const all: VesselSet = {
      vessels: [...(vessels?.vessels ?? []).slice(0, 50), ...points.slice(-200).map(cross)],
      lesions: [],
      source: 'page',
    };
    return centerlineLayer(ct, all);
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

  /**
   * Shows or hides one vessel's VOI (index into the measurement's vessels, the report's order) and
   * its rings in the rings overlay.
   */
  setVesselShown(index: number, on: boolean): void {
    const v = this.vessels;
    if (!v || index < 0 || index >= v.names.length) return;
    this.hiddenVessels[index] = !on;
    const voi = this.volumeOf('voi');
    voi?.setColormapLabel(
      labelTable(
        v.names.map((_, i) => vesselColour(i).hex),
        v.names,
        this.hiddenVessels,
      ),
    );
    const rings = this.volumeOf('rings');
    if (rings) {
      const shownVessels = v.names.map((_, i) => i).filter((i) => !this.hiddenVessels[i]);
      const layer = ringDistanceLayer(v.dims, v.layers, shownVessels);
      // niivue keeps the labels it was given, in the file's voxel order: replaced in place.
      if (!(rings.img instanceof Uint8Array) || rings.img.length !== layer.length) {
        throw new Error('the rings overlay is not the uint8 layer it was built from');
      }
      rings.img.set(layer);
    }
    this.nv.updateGLVolume();
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

  private volumeOf(which: Layer): NVImage | undefined {
    const idx = this.index.get(which);
    return idx === undefined ? undefined : this.nv.volumes[idx];
  }

  /** Every overlay's opacity from its toggle, then one redraw. */
  private applyVisibility(): void {
    for (const [which, idx] of this.index) {
      const volume = this.nv.volumes[idx];
      if (!volume || which === 'voi') continue;
      volume.opacity = this.visible[which] ? OVERLAY_STYLE[which].opacity : 0;
    }
    this.nv.updateGLVolume();
  }
}
