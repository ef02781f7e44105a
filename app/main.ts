/**
 * The perifat page: choose a scan (or a phantom), measure it in a worker through the package API,
 * look at the slices with perifat's overlays, the numbers, the radial profile; export.
 * Centerlines come from a file, are derived from a coronary mask (with an aorta mask), or are traced
 * on the slices from a few clicks (the trace panel).
 * Automation: `?demo=phantom` measures a phantom at once and sets `document.body.dataset.perifatStatus`
 * to 'done' (or 'error') and `window.perifatReport` to the report; `?backend=cpu|webgpu|auto`.
 * `window.perifatTraced` holds the traced centerlines; `window.perifatPageXY(lps)` goes to the slice
 * through an LPS point and says where on the page to click it.
 */
import './style.css';
import {
  createWorkerEngine,
  DEFAULT_OPTIONS,
  eatMask,
  huHistogram,
  makePhantom,
  PerifatError,
  type CtVolume,
  type DetailedResult,
  type LabelVolume,
  type MeasureProgress,
  type Report,
  type TraceRequest,
  type VesselSet,
  type WorkerEngine,
} from '../src/api/index';
import { clearCharts, histogramChart, profileChart } from './charts';
import { DEMO_PHANTOM } from './demo-phantom';
import { exportCsv, exportDicom, exportJson, exportMasks, exportVesselsJson, exportVesselsVtp } from './exports';
import { classify, describe, droppedFiles, emptyChoice, type ChosenFiles } from './inputs';
import { LESION_COLOUR, vesselColour } from './palette';
import { showCenterlines, showResults } from './results';
import { TracePanel } from './trace';
import { type Lps, type Shown, type View, Viewer, WINDOWS } from './viewer';

declare global {
  interface Window {
    perifatReport?: Report;
    perifatError?: { code: string; message: string };
    /** The centerlines traced on the page (perifat-vessels/1 of them: the JSON export). */
    perifatTraced?: VesselSet;
    /** Goes to the slice through an LPS point; where on the page (CSS px) a click picks it. */
    perifatPageXY?: (lps: Lps) => Promise<{ x: number; y: number } | null>;
  }
}

const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el as T;
};

const params = new URLSearchParams(location.search);
const ui = {
  gpu: $<HTMLParagraphElement>('gpu-status'),
  ctFolder: $<HTMLInputElement>('ct-folder'),
  ctFiles: $<HTMLInputElement>('ct-files'),
  mask: $<HTMLInputElement>('mask-file'),
  vessels: $<HTMLInputElement>('vessels-file'),
  coronary: $<HTMLInputElement>('coronary-file'),
  aorta: $<HTMLInputElement>('aorta-file'),
  drop: $<HTMLDivElement>('drop'),
  chosen: $<HTMLParagraphElement>('chosen'),
  measure: $<HTMLButtonElement>('measure'),
  phantom: $<HTMLButtonElement>('phantom'),
  cancel: $<HTMLButtonElement>('cancel'),
  backend: $<HTMLSelectElement>('backend'),
  progress: $<HTMLProgressElement>('progress'),
  progressText: $<HTMLSpanElement>('progress-text'),
  error: $<HTMLParagraphElement>('error'),
  view: $<HTMLSelectElement>('view'),
  window: $<HTMLSelectElement>('window'),
  canvas: $<HTMLCanvasElement>('viewer'),
  eat: $<HTMLTableElement>('eat-table'),
  vesselTable: $<HTMLTableElement>('vessel-table'),
  warnings: $<HTMLUListElement>('warnings'),
  centerlinesBox: $<HTMLDivElement>('centerlines-derived'),
  centerlinesHow: $<HTMLParagraphElement>('centerlines-how'),
  centerlineWarnings: $<HTMLUListElement>('centerline-warnings'),
  vesselToggles: $<HTMLFieldSetElement>('ov-vessels'),
  vesselList: $<HTMLDivElement>('ov-vessel-list'),
  lesionToggle: $<HTMLLabelElement>('ov-lesions-label'),
  lesionSwatch: $<HTMLSpanElement>('ov-lesions-swatch'),
  backendUsed: $<HTMLParagraphElement>('backend-used'),
  profile: $<HTMLDivElement>('profile'),
  histogram: $<HTMLDivElement>('histogram'),
  exportJson: $<HTMLButtonElement>('export-json'),
  exportCsv: $<HTMLButtonElement>('export-csv'),
  exportMasks: $<HTMLButtonElement>('export-masks'),
  exportDicom: $<HTMLButtonElement>('export-dicom'),
};

let choice: ChosenFiles = emptyChoice();
let engine: WorkerEngine | null = null;
let engineBackend = '';
let running: AbortController | null = null;
let shown: Shown | null = null;
let caseId = 'case';
const viewerReady = Viewer.attach(ui.canvas);
const trace = new TracePanel({
  trace: (request) => void traceVessel(request),
  measure: () => void measureTraced(),
  picking: (on) => void viewerReady.then((v) => v.setPicking(on ? (p) => trace.addPoint(p) : null)),
  changed: () => {
    window.perifatTraced = trace.vesselSet();
    void viewerReady.then((v) => v.setLines(shownLines(), trace.points));
  },
  exportJson: (vessels) => exportVesselsJson(vessels, caseId),
  exportVtp: (vessels) => exportVesselsVtp(vessels, caseId),
});

/** The centerlines drawn: the traced ones once any are, else the measurement's. */
function shownLines(): VesselSet | null {
  return trace.traced.length ? trace.vesselSet() : (shown?.input.vessels ?? null);
}

/** The centerlines a measurement derived (report.centerlines), as a vessel set to draw. */
function derivedVessels(report: Report): VesselSet | null {
  const c = report.centerlines;
  if (!c) return null;
  return {
    vessels: c.vessels.vessels.map((v) => ({
      name: v.name,
      points: v.points.map((p) => [p[0], p[1], p[2]] as [number, number, number]),
      radii: [...v.radii],
    })),
    lesions: [],
    source: `derived centerlines (${c.method})`,
  };
}

function setStatus(status: 'idle' | 'running' | 'done' | 'error'): void {
  document.body.dataset.perifatStatus = status;
}

/** WebGPU's state in plain words, before anything is measured. */
async function describeGpu(): Promise<void> {
  if (!('gpu' in navigator)) {
    ui.gpu.textContent =
      'WebGPU is not available in this browser: perifat measures on its CPU backend (same numbers, slower on large scans).';
    return;
  }
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter) {
    ui.gpu.textContent = 'WebGPU is present but found no adapter: perifat measures on its CPU backend.';
    return;
  }
  const info = adapter.info;
  const software =
    (info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter === true ||
    /swiftshader/i.test(`${info.vendor} ${info.architecture}`);
  ui.gpu.textContent = software
    ? `WebGPU adapter: ${info.vendor} ${info.architecture} — a software adapter, several times slower than perifat's CPU backend, so "auto" measures on the CPU (choose WebGPU to run the shaders anyway).`
    : `WebGPU adapter: ${[info.vendor, info.architecture, info.description].filter(Boolean).join(' ')}.`;
}

async function getEngine(): Promise<WorkerEngine> {
  const wanted = ui.backend.value as 'auto' | 'webgpu' | 'cpu';
  if (engine && engineBackend === wanted) return engine;
  engine?.destroy();
  const worker = new Worker(new URL('./perifat-worker.ts', import.meta.url), { type: 'module' });
  engine = await createWorkerEngine(worker, { backend: wanted });
  engineBackend = wanted;
  return engine;
}

function onProgress(p: MeasureProgress): void {
  ui.progress.value = p.fraction;
  ui.progressText.textContent = `${p.stage} ${Math.round(100 * p.fraction)} %`;
}

function fail(e: unknown): void {
  const err = e instanceof PerifatError ? e : new PerifatError('E_RUNTIME', e instanceof Error ? e.message : String(e));
  ui.error.hidden = false;
  ui.error.textContent = err.code === 'E_ABORTED' ? 'Cancelled.' : `${err.code}: ${err.message}`;
  window.perifatError = { code: err.code, message: err.message };
  setStatus('error');
}

/** Runs one measurement with the page's controls locked and its progress shown. */
async function run(
  label: string,
  work: (engine: WorkerEngine, signal: AbortSignal) => Promise<DetailedResult>,
): Promise<void> {
  running?.abort();
  const ac = new AbortController();
  running = ac;
  ui.error.hidden = true;
  ui.measure.disabled = ui.phantom.disabled = true;
  ui.cancel.disabled = false;
  trace.setState({ ready: shown !== null, busy: true });
  ui.progress.value = 0;
  ui.progressText.textContent = label;
  setStatus('running');
  try {
    const eng = await getEngine();
    const result = await work(eng, ac.signal);
    const input = {
      ct: result.input.ct,
      pericardium: result.input.pericardium ?? null,
      vessels: result.input.vessels ?? derivedVessels(result.report),
    };
    shown = { report: result.report, layers: result.layers, input };
    await display(shown);
    window.perifatReport = result.report;
    ui.progress.value = 1;
    ui.progressText.textContent = 'done';
    setStatus('done');
  } catch (e) {
    fail(e);
  } finally {
    if (running === ac) running = null;
    ui.cancel.disabled = true;
    ui.phantom.disabled = false;
    ui.measure.disabled = choice.ct.length === 0;
    trace.setState({ ready: shown !== null, busy: false });
  }
}

async function display(s: Shown): Promise<void> {
  showResults(s.report, { eat: ui.eat, vessels: ui.vesselTable, warnings: ui.warnings, backend: ui.backendUsed });
  showCenterlines(s.report, { box: ui.centerlinesBox, how: ui.centerlinesHow, warnings: ui.centerlineWarnings });
  clearCharts();
  profileChart(ui.profile, s.report);
  const { ct, pericardium } = s.input;
  const eat = pericardium ? eatMask(ct, pericardium) : new Uint8Array(0);
  histogramChart(ui.histogram, huHistogram(ct.hu, eat, DEFAULT_OPTIONS.window), DEFAULT_OPTIONS.window.lo);
  const viewer = await viewerReady;
  // The last measurement's vessel checkboxes go first: they would act on the one being shown.
  ui.vesselToggles.hidden = true;
  ui.vesselList.replaceChildren();
  await viewer.show(s, currentWindow());
  viewer.setLines(shownLines(), trace.points);
  // The viewer starts a measurement with every vessel's VOI shown and its own overlay toggles kept.
  vesselToggles(s, viewer);
  ui.lesionToggle.hidden = !(s.layers && s.report.lesions.length > 0);
  for (const b of [ui.exportJson, ui.exportCsv, ui.exportMasks, ui.exportDicom]) b.disabled = false;
}

/** One checkbox per vessel of the report, in its order and colour: shows or hides its VOI and rings. */
function vesselToggles(s: Shown, viewer: Viewer): void {
  const vessels = s.layers ? s.report.vessels : [];
  ui.vesselToggles.hidden = vessels.length === 0;
  ui.vesselList.replaceChildren(
    ...vessels.map((v, index) => {
      const colour = vesselColour(index);
      const label = document.createElement('label');
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.id = `ov-vessel-${index}`;
      box.checked = true;
      box.dataset['vessel'] = String(index);
      box.addEventListener('change', () => viewer.setVesselShown(index, box.checked));
      const swatch = document.createElement('span');
      swatch.className = 'swatch';
      swatch.style.backgroundColor = colour.hex;
      swatch.setAttribute('aria-hidden', 'true');
      const name = document.createElement('span');
      name.className = 'vessel-name';
      name.textContent = v.name;
      // The colour in words for whoever does not see it (read with the name, not shown).
      const said = document.createElement('span');
      said.className = 'visually-hidden';
      said.textContent = ` (${colour.name})`;
      label.append(box, ' ', swatch, name, said);
      return label;
    }),
  );
}

function currentWindow(): readonly [number, number] {
  return WINDOWS[ui.window.value as keyof typeof WINDOWS] ?? WINDOWS.soft;
}

function measureFiles(): Promise<void> {
  const c = choice;
  caseId = 'case';
  trace.reset();
  // Centerlines given win; else derived from the coronary mask (its aorta mask only with it).
  const derive = !c.vessels && c.coronaryMask ? { coronaryMask: c.coronaryMask, aorta: c.aorta } : {};
  return run('reading the files', (eng, signal) =>
    eng.measureFilesDetailed(
      { ct: c.ct, pericardium: c.pericardium, vessels: c.vessels, ...derive },
      { wantLayers: true, signal, onProgress },
    ),
  );
}

/** A copy the worker may keep: the page goes on showing (and tracing on) its own. */
const copyCt = (ct: CtVolume): CtVolume => ({ ...ct, hu: ct.hu.slice() });
const copyMask = (m: LabelVolume | null): LabelVolume | null => (m ? { ...m, labels: m.labels.slice() } : null);

/** Measures the scan shown with the traced vessels (none traced: EAT only). */
function measureTraced(): Promise<void> {
  const s = shown;
  if (!s) return Promise.resolve();
  const vessels = trace.traced.length ? trace.vesselSet() : null;
  return run('measuring the traced vessels', (eng, signal) =>
    eng.measureDetailed(
      { ct: copyCt(s.input.ct), pericardium: copyMask(s.input.pericardium), vessels },
      { wantLayers: true, signal, onProgress },
    ),
  );
}

/**
 * Traces one vessel on the CT shown (in the worker), draws its path at once, then measures every
 * traced vessel so its VOI and rings are shown too.
 */
function traceVessel(request: TraceRequest): Promise<void> {
  const s = shown;
  if (!s) return Promise.resolve();
  return run(`tracing ${request.name}`, async (eng, signal) => {
    const derived = await eng.centerlines({ ct: s.input.ct, trace: [request] }, { signal });
    const vessel = derived.vessels[0];
    if (!vessel) throw new PerifatError('E_CENTERLINE', `${request.name}: nothing was traced`);
    trace.addTraced({ name: request.name, points: request.points, vessel, warnings: derived.warnings });
    ui.progressText.textContent = 'measuring the traced vessels';
    return eng.measureDetailed(
      { ct: copyCt(s.input.ct), pericardium: copyMask(s.input.pericardium), vessels: trace.vesselSet() },
      { wantLayers: true, signal, onProgress },
    );
  });
}

function measurePhantom(): Promise<void> {
  caseId = 'phantom';
  trace.reset();
  return run('building a phantom', async (eng, signal) => {
    // A small phantom with a tortuous three-vessel tree: built here, measured in the worker.
    const p = makePhantom(DEMO_PHANTOM);
    return eng.measureDetailed(
      { ct: p.ct, pericardium: p.pericardium, vessels: p.vessels },
      { wantLayers: true, signal, onProgress },
    );
  });
}

function chose(files: File[], into: 'ct' | 'auto' | 'pericardium' | 'vessels' | 'coronaryMask' | 'aorta'): void {
  if (into === 'ct') choice = { ...choice, ct: [...files].sort((a, b) => (a.name < b.name ? -1 : 1)) };
  else if (into === 'auto') choice = classify(files, choice);
  else choice = { ...choice, [into]: files[0] ?? null };
  ui.chosen.textContent = describe(choice);
  ui.measure.disabled = choice.ct.length === 0 || running !== null;
}

ui.ctFolder.addEventListener('change', () => chose(Array.from(ui.ctFolder.files ?? []), 'ct'));
ui.ctFiles.addEventListener('change', () => chose(Array.from(ui.ctFiles.files ?? []), 'auto'));
ui.mask.addEventListener('change', () => chose(Array.from(ui.mask.files ?? []), 'pericardium'));
ui.vessels.addEventListener('change', () => chose(Array.from(ui.vessels.files ?? []), 'vessels'));
ui.coronary.addEventListener('change', () => chose(Array.from(ui.coronary.files ?? []), 'coronaryMask'));
ui.aorta.addEventListener('change', () => chose(Array.from(ui.aorta.files ?? []), 'aorta'));
ui.drop.addEventListener('dragover', (e) => {
  e.preventDefault();
  ui.drop.classList.add('over');
});
ui.drop.addEventListener('dragleave', () => ui.drop.classList.remove('over'));
ui.drop.addEventListener('drop', (e) => {
  e.preventDefault();
  ui.drop.classList.remove('over');
  if (e.dataTransfer) void droppedFiles(e.dataTransfer.items).then((files) => chose(files, 'auto'), fail);
});
ui.measure.addEventListener('click', () => void measureFiles());
ui.phantom.addEventListener('click', () => void measurePhantom());
ui.cancel.addEventListener('click', () => running?.abort());
ui.view.addEventListener('change', () => void viewerReady.then((v) => v.setView(ui.view.value as View)));
ui.window.addEventListener('change', () => void viewerReady.then((v) => v.setWindow(currentWindow())));
for (const [id, which] of [
  ['ov-fat', 'fat'],
  ['ov-eat', 'eat'],
  ['ov-rings', 'rings'],
  ['ov-lesions', 'lesions'],
  ['ov-lines', 'lines'],
] as const) {
  const box = $<HTMLInputElement>(id);
  box.addEventListener('change', () => void viewerReady.then((v) => v.setOverlay(which, box.checked)));
}
$('slice-down').addEventListener('click', () => void viewerReady.then((v) => v.step(-1)));
$('slice-up').addEventListener('click', () => void viewerReady.then((v) => v.step(1)));
ui.canvas.addEventListener('keydown', (e) => {
  if (e.key === 'PageUp' || e.key === 'PageDown') {
    e.preventDefault();
    void viewerReady.then((v) => v.step(e.key === 'PageUp' ? 1 : -1));
  }
});
ui.exportJson.addEventListener('click', () => shown && exportJson(shown.report, caseId));
ui.exportCsv.addEventListener('click', () => shown && exportCsv(shown.report, caseId));
ui.exportMasks.addEventListener('click', () => shown && exportMasks(shown, {}, caseId));
// A NIfTI or phantom CT has no DICOM UIDs: the refusal is shown like any error.
ui.exportDicom.addEventListener('click', () => {
  if (shown) {
    ui.error.hidden = true;
    exportDicom(shown, {}, caseId).catch(fail);
  }
});

const backendParam = params.get('backend');
if (backendParam === 'cpu' || backendParam === 'webgpu' || backendParam === 'auto') ui.backend.value = backendParam;
void describeGpu().catch(() => {
  ui.gpu.textContent = 'WebGPU could not be queried: perifat measures on its CPU backend.';
});
ui.chosen.textContent = describe(choice);
ui.lesionSwatch.style.backgroundColor = LESION_COLOUR.hex;
window.perifatPageXY = async (lps) => (await viewerReady).pageXYOf(lps);
window.perifatTraced = trace.vesselSet();
if (params.get('demo') === 'phantom') void measurePhantom();
