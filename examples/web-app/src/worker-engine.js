// The page drives perifat's packaged worker through createWorkerEngine: files go to the worker,
// the report comes back; the page only shows progress.
import { createWorkerEngine } from 'perifat';

const status = document.getElementById('status');
const base = new URLSearchParams(location.search).get('data') ?? './data/';
const fetchBlob = async (name) => {
  const res = await fetch(new URL(`${base}${name}`, location.href));
  if (!res.ok) throw new Error(`${name}: HTTP ${res.status}`);
  return res.blob();
};

try {
  const worker = new Worker(new URL('./perifat-worker.js', import.meta.url), { type: 'module' });
  const engine = await createWorkerEngine(worker, { backend: 'webgpu' });
  // The main thread's long tasks (over 50 ms) while the worker measures: the page must stay responsive.
  const longTasks = [];
  const observer = new PerformanceObserver((list) => longTasks.push(...list.getEntries().map((e) => e.duration)));
  observer.observe({ type: 'longtask' });
  const report = await engine.measureFiles(
    {
      ct: await fetchBlob('ct.nii.gz'),
      pericardium: await fetchBlob('pericardium.nii.gz'),
      vessels: await fetchBlob('vessels.json'),
    },
    { onProgress: (p) => (status.textContent = `${p.stage} ${(100 * p.fraction).toFixed(0)} %`) },
  );
  observer.disconnect();
  window.perifatLongTasks = longTasks;
  engine.destroy();
  status.textContent = `done on ${report.backend.api}`;
  window.perifatReport = report;
  document.body.dataset.perifatStatus = 'done';
} catch (err) {
  status.textContent = `error: ${err.code ?? ''} ${err.message}`;
  window.perifatError = { code: err.code, message: String(err.message ?? err) };
  document.body.dataset.perifatStatus = 'error';
}
