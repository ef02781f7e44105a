// Reads the DICOM files listed in data/dicom/list.json on the page's thread with readCt, as Files
// (RLE, JPEG lossless, JPEG-LS and JPEG 2000): the WebAssembly codecs load from beside perifat's
// chunks. Each file's grid and the sum of its values go to window.perifatReport for the test.
import { readCt } from 'perifat';

const status = document.getElementById('status');
const base = new URL(new URLSearchParams(location.search).get('data') ?? './data/', location.href);

async function main() {
  const list = await (await fetch(new URL('dicom/list.json', base))).json();
  const out = [];
  for (const name of list) {
    const bytes = await (await fetch(new URL(`dicom/${name}`, base))).arrayBuffer();
    const file = new File([bytes], name);
    try {
      // MR test files too: they carry JPEG-LS; raw stored values where there is no rescale.
      const ct = await readCt(file, { modalities: ['CT', 'MR'], defaultRescale: { slope: 1, intercept: 0 } });
      let sum = 0;
      for (let i = 0; i < ct.hu.length; i++) sum += ct.hu[i];
      out.push({ name, dims: [...ct.dims], sum });
    } catch (e) {
      out.push({ name, error: { name: e.name, code: e.code, message: e.message } });
    }
    status.textContent = `${out.length} / ${list.length}`;
  }
  window.perifatReport = out;
  document.body.dataset.perifatStatus = 'done';
}

main().catch((e) => {
  window.perifatError = { message: String(e) };
  document.body.dataset.perifatStatus = 'error';
});
