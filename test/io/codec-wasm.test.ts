/**
 * The codecs' WebAssembly handed in by the app (setCodecWasm): real bytes decode as the codec
 * packages' own loading does; a binary that is not WebAssembly (a server's HTML fallback page) or a
 * URL that cannot be fetched is E_INPUT_UNSUPPORTED naming the file and its transfer syntax, and a
 * later call with good bytes loads the codec after all.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { readCt, setCodecWasm } from '../../src/api/index';
import { loadDicomFrame } from '../../src/platform/node/load';
import { EXPECTED, data, expectCode, sum } from './helpers';

const require = createRequire(import.meta.url);
/** A codec package's decoder binary, by its `decodewasm` export. */
const wasm = (pkg: string) => readFileSync(require.resolve(`@cornerstonejs/${pkg}/decodewasm`));

describe('codec WebAssembly handed in by the app', () => {
  it('JPEG-LS from given bytes decodes as pydicom reads the uncompressed file', async () => {
    setCodecWasm('jpeg-ls', wasm('codec-charls'));
    const mr = EXPECTED.raw['dicom-syntaxes/pydicom_deb/MR_small.dcm'];
    const fr = await loadDicomFrame(data('dicom-syntaxes/pydicom_deb/MR_small_jpeg_ls_lossless.dcm'));
    expect(sum(fr.values)).toBe(mr?.sum);
  });

  it('JPEG 2000 with an HTML page for its binary: E_INPUT_UNSUPPORTED naming file and syntax, then good bytes load', async () => {
    const bytes = readFileSync(data('dicom-syntaxes/pydicom_data/693_J2KR.dcm'));
    setCodecWasm('jpeg2000', new TextEncoder().encode('<!doctype html><html></html>'));
    const err = await expectCode(readCt(bytes, { name: '693_J2KR.dcm' }), 'E_INPUT_UNSUPPORTED', /not WebAssembly/);
    expect(err.file).toBe('693_J2KR.dcm');
    expect(err.message).toContain('1.2.840.10008.1.2.4.90');
    expect(err.message).toContain('JPEG 2000 Lossless');

    setCodecWasm('jpeg2000', 'http://127.0.0.1:1/openjpegwasm_decode.wasm');
    await expectCode(readCt(bytes, { name: '693_J2KR.dcm' }), 'E_INPUT_UNSUPPORTED', /could not fetch/);

    setCodecWasm('jpeg2000', wasm('codec-openjpeg'));
    const ct = await readCt(bytes, { name: '693_J2KR.dcm' });
    expect(sum(ct.hu)).toBe(EXPECTED['dicom-syntaxes/pydicom_data/693_J2KR.dcm']?.sum);
  });
});
