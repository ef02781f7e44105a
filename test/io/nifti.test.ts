import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { loadCt, loadLabels } from '../../src/platform/node/load';
import { writeNifti } from '../../src/platform/node/write';
import { sameGrid, type Geometry } from '../../src/volume/geometry';
import type { CtVolume, LabelVolume } from '../../src/volume/volume';
import { data, expectCode, sum, tempDir } from './helpers';

const CTA = 'real-cta/totalseg-chest-cta';

/** A minimal NIfTI-1 or -2 file (little endian unless `be`), sform from a RAS affine. */
function makeNifti(o: {
  v2?: boolean;
  be?: boolean;
  dims: number[];
  datatype: number;
  bytes: number;
  values: number[];
  slope?: number;
  inter?: number;
  srow?: number[];
  sform?: boolean;
}): Uint8Array {
  const hdr = o.v2 ? 540 : 348;
  const off = o.v2 ? 544 : 352;
  const n = o.values.length;
  const b = new Uint8Array(off + n * o.bytes);
  const dv = new DataView(b.buffer);
  const le = !o.be;
  dv.setInt32(0, hdr, le);
  const srow = o.srow ?? [-1, 0, 0, 10, 0, -1, 0, 20, 0, 0, 2, -30];
  const dim = [o.dims.length, ...o.dims, 1, 1, 1, 1, 1, 1, 1].slice(0, 8);
  if (o.v2) {
    b.set([0x6e, 0x2b, 0x32, 0, 0x0d, 0x0a, 0x1a, 0x0a], 4);
    dv.setInt16(12, o.datatype, le);
    dv.setInt16(14, o.bytes * 8, le);
    dim.forEach((d, i) => dv.setBigInt64(16 + 8 * i, BigInt(d), le));
    [1, 1, 1, 1, 1, 1, 1, 1].forEach((p, i) => dv.setFloat64(104 + 8 * i, p, le));
    dv.setBigInt64(168, BigInt(off), le);
    dv.setFloat64(176, o.slope ?? 1, le);
    dv.setFloat64(184, o.inter ?? 0, le);
    dv.setInt32(348, o.sform === false ? 0 : 1, le);
    srow.forEach((s, i) => dv.setFloat64(400 + 8 * i, s, le));
  } else {
    dim.forEach((d, i) => dv.setInt16(40 + 2 * i, d, le));
    dv.setInt16(70, o.datatype, le);
    dv.setInt16(72, o.bytes * 8, le);
    [1, 1, 1, 2, 1, 1, 1, 1].forEach((p, i) => dv.setFloat32(76 + 4 * i, p, le));
    dv.setFloat32(108, off, le);
    dv.setFloat32(112, o.slope ?? 1, le);
    dv.setFloat32(116, o.inter ?? 0, le);
    dv.setInt16(254, o.sform === false ? 0 : 1, le);
    srow.forEach((s, i) => dv.setFloat32(280 + 4 * i, s, le));
    b.set([0x6e, 0x2b, 0x31, 0], 344);
  }
  const put: Record<number, (i: number, v: number) => void> = {
    2: (i, v) => dv.setUint8(off + i, v),
    256: (i, v) => dv.setInt8(off + i, v),
    4: (i, v) => dv.setInt16(off + 2 * i, v, le),
    16: (i, v) => dv.setFloat32(off + 4 * i, v, le),
    64: (i, v) => dv.setFloat64(off + 8 * i, v, le),
    512: (i, v) => dv.setUint16(off + 2 * i, v, le),
  };
  o.values.forEach((v, i) => put[o.datatype]?.(i, v));
  return b;
}

describe('NIfTI reading', () => {
  it('reads the TotalSegmentator CTA and its heart mask on the same grid', async () => {
    const ct = await loadCt(data(`${CTA}/ct.nii.gz`));
    expect(ct.dims).toEqual([120, 126, 164]);
    expect(ct.spacing).toEqual([1.5, 1.5, 1.5]);
    expect(ct.hu).toBeInstanceOf(Int16Array);
    const heart = await loadLabels(data(`${CTA}/heart.nii.gz`), { onto: ct });
    expect(sameGrid(heart, ct)).toBe(true);
    const inside: number[] = [];
    heart.labels.forEach((l, i) => {
      if (l) inside.push(ct.hu[i] as number);
    });
    expect(inside.length).toBe(198176);
    // Arterial-phase heart: mean well above water (blood pool with contrast).
    expect(sum(inside) / inside.length).toBeGreaterThan(100);
  });

  it('maps RAS to LPS (big-endian NIfTI-1 with sform; the qform gives the same grid)', async () => {
    const a = await loadCt(data('seg/anatomical.nii'));
    expect(a.dims).toEqual([33, 41, 25]);
    expect(a.spacing).toEqual([2, 2, 2]);
    // sform x = -2i + 32 (RAS) → LPS x = 2i - 32; y = 2j - 40 → LPS -2j + 40.
    expect(a.origin).toEqual([-32, 40, -16]);
    expect(a.direction.map((x) => x + 0)).toEqual([1, 0, 0, 0, -1, 0, 0, 0, 1]);
    expect(a.meta?.['byteOrder']).toBe('BE');
    const t = tempDir('qform');
    try {
      const b = new Uint8Array(readFileSync(data('seg/anatomical.nii')));
      new DataView(b.buffer).setInt16(254, 0, false); // sform_code = 0 → qform decides
      writeFileSync(join(t.dir, 'q.nii'), b);
      const q = await loadCt(join(t.dir, 'q.nii'));
      expect(sameGrid(q, a)).toBe(true);
      expect(sum(q.hu)).toBe(sum(a.hu));
    } finally {
      t.done();
    }
  });

  it('reads NIfTI-2, scl_slope/inter, big endian, float data; refuses 4-D, NaN and bad labels', async () => {
    const t = tempDir('nii');
    const p = (n: string): string => join(t.dir, n);
    try {
      writeFileSync(
        p('v2.nii'),
        makeNifti({ v2: true, dims: [2, 2, 1], datatype: 512, bytes: 2, values: [0, 1, 2, 3], slope: 2, inter: -1024 }),
      );
      const v2 = await loadCt(p('v2.nii'));
      expect(Array.from(v2.hu)).toEqual([-1024, -1022, -1020, -1018]);
      expect(v2.hu).toBeInstanceOf(Int16Array);
      expect(v2.origin).toEqual([-10, -20, -30]);
      expect(v2.spacing).toEqual([1, 1, 2]);
      writeFileSync(
        p('be.nii.gz'),
        gzipSync(makeNifti({ be: true, dims: [2, 1, 1], datatype: 16, bytes: 4, values: [-50.5, 20.25] })),
      );
      const be = await loadCt(p('be.nii.gz'));
      expect(be.hu).toBeInstanceOf(Float32Array);
      expect(Array.from(be.hu)).toEqual([-50.5, 20.25]);
      writeFileSync(p('nan.nii'), makeNifti({ dims: [2, 1, 1], datatype: 16, bytes: 4, values: [1, NaN] }));
      await expectCode(loadCt(p('nan.nii')), 'E_INPUT_VALUE', /voxel 1 is NaN/);
      writeFileSync(p('inf.nii'), makeNifti({ dims: [2, 1, 1], datatype: 64, bytes: 8, values: [Infinity, 1] }));
      await expectCode(loadCt(p('inf.nii')), 'E_INPUT_VALUE', /Infinity/);
      writeFileSync(p('frac.nii'), makeNifti({ dims: [2, 1, 1], datatype: 16, bytes: 4, values: [0, 0.4] }));
      await expectCode(loadLabels(p('frac.nii')), 'E_INPUT_VALUE', /integers 0…255/);
      await expectCode(loadCt(data('seg/example_nifti2.nii.gz')), 'E_INPUT_UNSUPPORTED', /4-D/);
      const full = makeNifti({ dims: [4, 4, 4], datatype: 4, bytes: 2, values: new Array<number>(64).fill(7) });
      writeFileSync(p('trunc.nii'), full.subarray(0, full.length - 10));
      await expectCode(loadCt(p('trunc.nii')), 'E_INPUT_TRUNCATED');
      writeFileSync(p('trunc.nii.gz'), gzipSync(full).subarray(0, 40));
      await expectCode(loadCt(p('trunc.nii.gz')), 'E_INPUT_TRUNCATED');
      writeFileSync(p('garbage.nii'), new Uint8Array(400).fill(3));
      await expectCode(loadCt(p('garbage.nii')), 'E_INPUT_FORMAT', /not a NIfTI/);
      await expectCode(loadCt(p('v2.nii'), { maxVoxels: 3 }), 'E_TOO_LARGE');
    } finally {
      t.done();
    }
  });

  it('refuses values that cannot be Hounsfield units, naming the likely cause', async () => {
    const t = tempDir('nii-hu');
    const p = (n: string): string => join(t.dir, n);
    try {
      // uint16 raw stored values without rescale (nothing below 0), an int8 CT, int16 with no air or fat.
      writeFileSync(p('u16.nii'), makeNifti({ dims: [2, 1, 1], datatype: 512, bytes: 2, values: [0, 1100] }));
      await expectCode(loadCt(p('u16.nii')), 'E_INPUT_VALUE', /cannot hold Hounsfield units.*rescale/);
      writeFileSync(p('i8.nii'), makeNifti({ dims: [2, 1, 1], datatype: 256, bytes: 1, values: [-100, 50] }));
      await expectCode(loadCt(p('i8.nii')), 'E_INPUT_VALUE', /int8/);
      writeFileSync(p('pos.nii'), makeNifti({ dims: [2, 1, 1], datatype: 4, bytes: 2, values: [0, 1024] }));
      await expectCode(loadCt(p('pos.nii')), 'E_INPUT_VALUE', /no voxel is below 0 HU/);
      // The same uint16 values with their rescale are a CT.
      writeFileSync(
        p('u16r.nii'),
        makeNifti({ dims: [2, 1, 1], datatype: 512, bytes: 2, values: [0, 1100], slope: 1, inter: -1024 }),
      );
      expect(Array.from((await loadCt(p('u16r.nii'))).hu)).toEqual([-1024, 76]);
    } finally {
      t.done();
    }
  });

  it('reads uint8 masks of the NIfTI examples', async () => {
    const s = await loadLabels(data('seg/standard.nii.gz'));
    expect(s.dims).toEqual([4, 5, 7]);
    expect(s.labels.filter((x) => x > 0).length).toBe(30);
    const m = await loadLabels(data('seg/nifti-js_minimal.nii'));
    expect(m.dims).toEqual([64, 64, 10]);
  });
});

describe('masks on another grid', () => {
  it('resamples nearest-neighbour through world coordinates, or refuses', async () => {
    const ct = await loadCt(data(`${CTA}/ct.nii.gz`));
    const heart = await loadLabels(data(`${CTA}/heart.nii.gz`));
    const t = tempDir('grid');
    try {
      // The same mask written on a 2× coarser grid that covers the same box.
      const coarseDims: [number, number, number] = [60, 63, 82];
      const coarse: LabelVolume = {
        dims: coarseDims,
        spacing: [3, 3, 3],
        origin: [ct.origin[0] + 0.75, ct.origin[1] + 0.75, ct.origin[2] + 0.75],
        direction: ct.direction,
        labels: new Uint8Array(60 * 63 * 82),
        source: 'coarse',
      };
      for (let k = 0; k < 82; k++)
        for (let j = 0; j < 63; j++)
          for (let i = 0; i < 60; i++)
            coarse.labels[i + 60 * (j + 63 * k)] = heart.labels[2 * i + 120 * (2 * j + 126 * 2 * k)] as number;
      writeNifti(coarse, join(t.dir, 'coarse.nii.gz'));
      const back = await loadLabels(join(t.dir, 'coarse.nii.gz'), { onto: ct });
      expect(sameGrid(back, ct)).toBe(true);
      let agree = 0;
      back.labels.forEach((l, i) => (agree += l === heart.labels[i] ? 1 : 0));
      expect(agree / back.labels.length).toBeGreaterThan(0.98);
      await expectCode(
        loadLabels(join(t.dir, 'coarse.nii.gz'), { onto: ct, resample: false }),
        'E_MASK_GRID',
        /differs/,
      );
      const far: Geometry = { ...ct, origin: [ct.origin[0] + 5000, ct.origin[1], ct.origin[2]] };
      await expectCode(loadLabels(join(t.dir, 'coarse.nii.gz'), { onto: far }), 'E_MASK_GRID', /does not overlap/);
    } finally {
      t.done();
    }
  });
});

describe('NIfTI writer', () => {
  const oblique: Geometry = {
    dims: [5, 4, 3],
    spacing: [0.7, 0.8, 1.25],
    origin: [-12.5, 30.25, 101],
    // A rotation about z by 30° with the slice axis reversed (left-handed: qfac = -1).
    direction: [
      Math.cos(Math.PI / 6),
      -Math.sin(Math.PI / 6),
      0,
      Math.sin(Math.PI / 6),
      Math.cos(Math.PI / 6),
      0,
      0,
      0,
      -1,
    ],
  };

  for (const ext of ['.nii', '.nii.gz']) {
    it(`round-trips CT (int16, float32) and labels through ${ext}, atomically`, async () => {
      const t = tempDir('write');
      try {
        const n = 60;
        const ct: CtVolume = {
          ...oblique,
          hu: Int16Array.from({ length: n }, (_, i) => i * 37 - 1000),
          kvp: 120,
          source: 'x',
        };
        writeNifti(ct, join(t.dir, `ct${ext}`));
        const back = await loadCt(join(t.dir, `ct${ext}`));
        expect(sameGrid(back, ct, 1e-4, 1e-6)).toBe(true);
        expect(Array.from(back.hu)).toEqual(Array.from(ct.hu));
        const f: CtVolume = { ...ct, hu: Float32Array.from({ length: n }, (_, i) => i / 4 - 3) };
        writeNifti(f, join(t.dir, `f${ext}`));
        expect(Array.from((await loadCt(join(t.dir, `f${ext}`))).hu)).toEqual(Array.from(f.hu));
        // The qform alone must give the same grid (readers that ignore the sform).
        if (ext === '.nii') {
          const b = new Uint8Array(readFileSync(join(t.dir, `ct${ext}`)));
          new DataView(b.buffer).setInt16(254, 0, true);
          writeFileSync(join(t.dir, 'q.nii'), b);
          expect(sameGrid(await loadCt(join(t.dir, 'q.nii')), ct, 1e-4, 1e-5)).toBe(true);
        }
        const lab: LabelVolume = { ...oblique, labels: Uint8Array.from({ length: n }, (_, i) => i % 3), source: 'm' };
        writeNifti(lab, join(t.dir, `m${ext}`));
        const lb = await loadLabels(join(t.dir, `m${ext}`));
        expect(Array.from(lb.labels)).toEqual(Array.from(lab.labels));
        expect(readdirSync(t.dir).filter((x) => x.endsWith('.tmp'))).toEqual([]);
        // A parent that is a file cannot be created: E_OUTPUT, and no temporary left beside it.
        await expectCode(() => writeNifti(lab, join(t.dir, `m${ext}`, `x${ext}`)), 'E_OUTPUT');
        expect(readdirSync(t.dir).filter((x) => x.endsWith('.tmp'))).toEqual([]);
      } finally {
        t.done();
      }
    });
  }
});

describe('float32 geometry fields', () => {
  it('read as the shortest decimal that rounds to the same float32', async () => {
    const { shortestDecimalOfF32 } = await import('../../src/io/nifti-read');
    expect(shortestDecimalOfF32(Math.fround(0.4))).toBe(0.4);
    expect(shortestDecimalOfF32(Math.fround(-38.2))).toBe(-38.2);
    expect(shortestDecimalOfF32(Math.fround(0.646484375))).toBe(0.6464844);
    expect(Math.fround(shortestDecimalOfF32(Math.fround(1 / 3)))).toBe(Math.fround(1 / 3));
  });
});
