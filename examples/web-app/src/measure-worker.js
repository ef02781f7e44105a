// The app's worker: fetches the files, reads them with perifat, measures on a GPU device it
// created itself with WebGPU's default limits (perifat's REQUIRED_LIMITS fit them).
import { createEngine, readCt, readMask, readVessels, REQUIRED_LIMITS } from 'perifat';

self.addEventListener('message', async (e) => {
  try {
    const fetchBytes = async (url) => {
      const res = await fetch(url);
      if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
      return res.arrayBuffer();
    };
    const ct = await readCt(await fetchBytes(e.data.ct), { name: 'ct.nii.gz' });
    const pericardium = await readMask(await fetchBytes(e.data.pericardium), ct, { name: 'pericardium.nii.gz' });
    const vessels = await readVessels(await fetchBytes(e.data.vessels), { ct, name: 'vessels.json' });
    const adapter = await navigator.gpu?.requestAdapter();
    const device = adapter ? await adapter.requestDevice() : undefined;
    const engine = await createEngine(device ? { device, backend: 'webgpu' } : { backend: 'cpu' });
    const report = await engine.measure(
      { ct, pericardium, vessels },
      { onProgress: (progress) => self.postMessage({ type: 'progress', progress }) },
    );
    engine.destroy();
    self.postMessage({ type: 'report', report, limits: REQUIRED_LIMITS });
  } catch (err) {
    self.postMessage({ type: 'error', error: { code: err.code, message: String(err.message ?? err) } });
  }
});
