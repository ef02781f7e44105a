// The page: starts a worker that reads the scan and measures it, shows the numbers. The page never
// blocks: reading, the float64 settling and every dispatch happen in the worker.
const status = document.getElementById('status');
const table = document.getElementById('results');
const params = new URLSearchParams(location.search);
const base = params.get('data') ?? './data/';

const worker = new Worker(new URL('./measure-worker.js', import.meta.url), { type: 'module' });
worker.addEventListener('error', (e) => {
  status.textContent = `error: the worker failed (${e.message || 'it did not load'})`;
  window.perifatError = { message: e.message || 'worker failed to load' };
  document.body.dataset.perifatStatus = 'error';
});
worker.addEventListener('message', (e) => {
  const m = e.data;
  if (m.type === 'progress') {
    status.textContent = `${m.progress.stage} ${(100 * m.progress.fraction).toFixed(0)} %`;
  } else if (m.type === 'report') {
    show(m.report);
    window.perifatReport = m.report;
    document.body.dataset.perifatStatus = 'done';
  } else if (m.type === 'error') {
    status.textContent = `error: ${m.error.code ?? ''} ${m.error.message}`;
    window.perifatError = m.error;
    document.body.dataset.perifatStatus = 'error';
  }
});
// Absolute URLs: the worker's own URL (a bundler puts it anywhere) must not matter.
const url = (name) => new URL(`${base}${name}`, location.href).href;
worker.postMessage({ ct: url('ct.nii.gz'), pericardium: url('pericardium.nii.gz'), vessels: url('vessels.json') });

function show(report) {
  status.textContent = `done on ${report.backend.api}${report.backend.adapter ? ` (${report.backend.adapter.architecture})` : ''}`;
  const rows = [['', 'FAI (HU)', 'fat voxels', 'VOI voxels']];
  if (report.eat) rows.push(['EAT', report.eat.meanHu.toFixed(1), report.eat.fatVoxels, '']);
  for (const v of report.vessels)
    rows.push([v.name, v.faiHu === null ? '—' : v.faiHu.toFixed(1), v.fatVoxels, v.voiVoxels]);
  table.replaceChildren(
    ...rows.map((r, i) => {
      const tr = document.createElement('tr');
      for (const c of r) {
        const cell = document.createElement(i === 0 ? 'th' : 'td');
        cell.textContent = String(c);
        tr.append(cell);
      }
      return tr;
    }),
  );
}
