/**
 * "Trace a vessel": the points clicked on the slices (ostium first, waypoints, distal end last; LPS
 * mm), the vessels traced so far (each replaced when traced again, removable), and their export.
 * The panel holds the state and its controls; the page (main.ts) does the work in the worker.
 */
import type { CenterlineWarning, TraceRequest, Vessel, VesselSet } from '../src/api/index';
import type { Lps } from './viewer';

export interface TracedVessel {
  readonly name: string;
  /** The points it was traced from (ostium, waypoints, distal end). */
  readonly points: readonly Lps[];
  /** The centerline perifat traced (LPS mm, radii in mm). */
  readonly vessel: Vessel;
  readonly warnings: readonly CenterlineWarning[];
}

/** What the panel asks of the page. */
export interface TraceActions {
  /** Trace this vessel (and measure every traced one). */
  trace(request: TraceRequest): void;
  /** Measure the traced vessels (after a removal, or again). */
  measure(): void;
  /** Clicks on the slices add points (true) or only move the crosshair (false). */
  picking(on: boolean): void;
  /** The points or the traced vessels changed: redraw them. */
  changed(): void;
  exportJson(vessels: readonly Vessel[]): void;
  exportVtp(vessels: readonly Vessel[]): void;
}

const NAME = /^[A-Za-z0-9_.+-]{1,64}$/;

const el = <T extends HTMLElement>(id: string): T => {
  const e = document.getElementById(id);
  if (!e) throw new Error(`the page has no #${id}`);
  return e as T;
};

const mm = (p: Lps): string => p.map((x) => x.toFixed(1)).join(', ');

export class TracePanel {
  /** Points of the vessel being traced. */
  points: Lps[] = [];
  traced: TracedVessel[] = [];
  private ready = false;
  private busy = false;
  private readonly ui = {
    name: el<HTMLSelectElement>('trace-name'),
    customLabel: el<HTMLLabelElement>('trace-custom-label'),
    custom: el<HTMLInputElement>('trace-custom'),
    mode: el<HTMLInputElement>('trace-mode'),
    undo: el<HTMLButtonElement>('trace-undo'),
    clear: el<HTMLButtonElement>('trace-clear'),
    run: el<HTMLButtonElement>('trace-run'),
    status: el<HTMLParagraphElement>('trace-status'),
    points: el<HTMLOListElement>('trace-points'),
    list: el<HTMLUListElement>('traced-list'),
    measure: el<HTMLButtonElement>('trace-measure'),
    json: el<HTMLButtonElement>('export-traced-json'),
    vtp: el<HTMLButtonElement>('export-traced-vtp'),
  };

  constructor(private readonly actions: TraceActions) {
    const ui = this.ui;
    ui.name.addEventListener('change', () => {
      ui.customLabel.hidden = ui.name.value !== 'custom';
      if (!ui.customLabel.hidden) ui.custom.focus();
      this.refresh();
    });
    ui.custom.addEventListener('input', () => this.refresh());
    ui.mode.addEventListener('change', () => {
      actions.picking(ui.mode.checked);
      document.body.classList.toggle('tracing', ui.mode.checked);
      this.refresh();
    });
    ui.undo.addEventListener('click', () => {
      this.points.pop();
      this.pointsChanged();
    });
    ui.clear.addEventListener('click', () => {
      this.points = [];
      this.pointsChanged();
    });
    ui.run.addEventListener('click', () => {
      const name = this.name();
      if (name && this.points.length >= 2) actions.trace({ name, points: this.points.map((p) => [...p]) });
    });
    ui.measure.addEventListener('click', () => actions.measure());
    ui.json.addEventListener('click', () => actions.exportJson(this.vessels()));
    ui.vtp.addEventListener('click', () => actions.exportVtp(this.vessels()));
    this.refresh();
  }

  /** The vessel's name: the choice, or the name typed (null while it is not a valid one). */
  name(): string | null {
    if (this.ui.name.value !== 'custom') return this.ui.name.value;
    const typed = this.ui.custom.value.trim();
    return NAME.test(typed) ? typed : null;
  }

  /** The traced centerlines, in the order traced. */
  vessels(): Vessel[] {
    return this.traced.map((t) => t.vessel);
  }

  /** The traced vessels as the set a measurement takes. */
  vesselSet(): VesselSet {
    return { vessels: this.vessels(), lesions: [], source: 'traced on the page' };
  }

  /** A click on a slice in trace mode. */
  addPoint(p: Lps): void {
    this.points.push(p);
    this.pointsChanged();
  }

  /** A vessel traced: replaces one of the same name; the points start again for the next vessel. */
  addTraced(t: TracedVessel): void {
    const at = this.traced.findIndex((x) => x.name === t.name);
    if (at >= 0) this.traced[at] = t;
    else this.traced.push(t);
    this.points = [];
    this.ui.status.textContent = `${t.name} traced: ${t.vessel.points.length} points${
      t.warnings.length ? `, ${t.warnings.length} warning${t.warnings.length > 1 ? 's' : ''}` : ''
    }.`;
    this.renderList();
    this.pointsChanged();
  }

  /** A new scan: nothing traced on it yet. */
  reset(): void {
    this.points = [];
    this.traced = [];
    this.ui.status.textContent = '';
    this.renderList();
    this.pointsChanged();
  }

  /** Whether a CT is shown to click on, and whether the page is busy measuring. */
  setState(state: { ready: boolean; busy: boolean }): void {
    this.ready = state.ready;
    this.busy = state.busy;
    if (!state.ready && this.ui.mode.checked) {
      this.ui.mode.checked = false;
      this.ui.mode.dispatchEvent(new Event('change'));
    }
    this.refresh();
  }

  private pointsChanged(): void {
    const n = this.points.length;
    this.ui.points.replaceChildren(
      ...this.points.map((p, i) => {
        const li = document.createElement('li');
        const role = i === 0 ? 'ostium' : i === n - 1 && n > 1 ? 'distal end' : 'waypoint';
        li.textContent = `${role}: ${mm(p)} mm (LPS)`;
        return li;
      }),
    );
    this.actions.changed();
    this.refresh();
  }

  private renderList(): void {
    this.ui.list.replaceChildren(
      ...this.traced.map((t) => {
        const li = document.createElement('li');
        li.dataset['vessel'] = t.name;
        const label = document.createElement('span');
        const pts = t.vessel.points;
        let length = 0;
        for (let i = 1; i < pts.length; i++) {
          const a = pts[i - 1] as Lps;
          const b = pts[i] as Lps;
          length += Math.hypot(b[0] - a[0], b[1] - a[1], b[2] - a[2]);
        }
        label.textContent = `${t.name}: ${length.toFixed(0)} mm from ${t.points.length} points`;
        const remove = document.createElement('button');
        remove.type = 'button';
        remove.textContent = 'Remove';
        remove.setAttribute('aria-label', `Remove ${t.name}`);
        remove.disabled = this.busy;
        remove.addEventListener('click', () => {
          this.traced = this.traced.filter((x) => x !== t);
          this.renderList();
          this.actions.changed();
          this.actions.measure();
        });
        li.append(label, remove);
        for (const w of t.warnings) {
          const p = document.createElement('span');
          p.className = 'trace-warning';
          p.textContent = `${w.message} (${w.code})`;
          li.append(p);
        }
        return li;
      }),
    );
    this.refresh();
  }

  private refresh(): void {
    const ui = this.ui;
    const idle = this.ready && !this.busy;
    ui.mode.disabled = !this.ready;
    ui.undo.disabled = !idle || this.points.length === 0;
    ui.clear.disabled = !idle || this.points.length === 0;
    ui.run.disabled = !idle || this.points.length < 2 || this.name() === null;
    ui.measure.disabled = !idle || this.traced.length === 0;
    ui.json.disabled = ui.vtp.disabled = this.traced.length === 0;
    for (const b of Array.from(ui.list.querySelectorAll('button'))) b.disabled = !idle;
  }
}
