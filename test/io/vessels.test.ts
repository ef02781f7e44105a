import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resamplePolyline } from '../../src/io';
import { loadVessels } from '../../src/platform/node/load';
import type { Geometry } from '../../src/volume/geometry';
import { arcLengths, type Vessel } from '../../src/volume/vessels';
import { expectCode, tempDir } from './helpers';
import { SAMPLE_LINES, legacyAscii, legacyBinary, vtp, type Line } from './vtk-writers';

const CT: Geometry = {
  dims: [100, 100, 50],
  spacing: [0.5, 0.5, 1],
  origin: [-25, -25, 0],
  direction: [1, 0, 0, 0, 1, 0, 0, 0, 1],
};

const LINES = SAMPLE_LINES;

function expectLines(vs: readonly Vessel[], names: string[]): void {
  expect(vs.map((v) => v.name)).toEqual(names);
  vs.forEach((v, i) => {
    const l = LINES[i] as Line;
    expect(v.points.length).toBe(l.points.length);
    v.points.forEach((p, j) => p.forEach((x, a) => expect(x).toBeCloseTo((l.points[j] as number[])[a] as number, 5)));
    v.radii.forEach((r, j) => expect(r).toBeCloseTo(l.radii[j] as number, 5));
  });
}

describe('perifat-vessels/1 JSON', () => {
  const doc = (o: Record<string, unknown>): string =>
    JSON.stringify({
      schema: 'perifat-vessels/1',
      vessels: LINES.map((l) => ({ name: l.name, points: l.points, radii: l.radii })),
      ...o,
    });

  it('reads LPS, RAS and voxel space into LPS mm, with lesions', async () => {
    const t = tempDir('json');
    try {
      writeFileSync(join(t.dir, 'lps.json'), doc({ lesions: [{ vessel: 'RCA', start_mm: 2, end_mm: 8 }] }));
      const lps = await loadVessels(join(t.dir, 'lps.json'), { ct: CT });
      expectLines(lps.vessels, ['RCA', 'LAD main']);
      expect(lps.lesions).toEqual([{ vessel: 'RCA', startMm: 2, endMm: 8 }]);
      writeFileSync(
        join(t.dir, 'ras.json'),
        JSON.stringify({
          schema: 'perifat-vessels/1',
          space: 'RAS',
          vessels: [
            {
              name: 'A',
              points: [
                [1, 2, 3],
                [4, 5, 6],
              ],
              radii: [1, 1],
            },
          ],
        }),
      );
      expect((await loadVessels(join(t.dir, 'ras.json'))).vessels[0]?.points).toEqual([
        [-1, -2, 3],
        [-4, -5, 6],
      ]);
      writeFileSync(
        join(t.dir, 'vox.json'),
        JSON.stringify({
          schema: 'perifat-vessels/1',
          space: 'voxel',
          vessels: [
            {
              name: 'A',
              points: [
                [0, 0, 0],
                [10, 20, 5],
              ],
              radii: [1, 1],
            },
          ],
        }),
      );
      expect((await loadVessels(join(t.dir, 'vox.json'), { ct: CT })).vessels[0]?.points).toEqual([
        [-25, -25, 0],
        [-20, -15, 5],
      ]);
      await expectCode(loadVessels(join(t.dir, 'vox.json')), 'E_CENTERLINE', /needs the CT geometry/);
    } finally {
      t.done();
    }
  });

  it('refuses bad documents with the vessel and point named', async () => {
    const t = tempDir('jsonbad');
    const f = join(t.dir, 'v.json');
    const bad = async (text: string, re: RegExp, opts = {}): Promise<void> => {
      writeFileSync(f, text);
      await expectCode(loadVessels(f, opts), 'E_CENTERLINE', re);
    };
    try {
      await bad('{', /not valid JSON/);
      await bad(JSON.stringify({ schema: 'other' }), /expected "perifat-vessels\/1"/);
      await bad(doc({ space: 'IJK' }), /not LPS, RAS or voxel/);
      await bad(
        JSON.stringify({ schema: 'perifat-vessels/1', vessels: [{ name: 'A', points: [[0, 0, 0]], radii: [1] }] }),
        /at least 2/,
      );
      await bad(
        JSON.stringify({
          schema: 'perifat-vessels/1',
          vessels: [
            {
              name: 'A',
              points: [
                [0, 0, 0],
                [1, 1, 1],
              ],
              radii: [1],
            },
          ],
        }),
        /2 points but 1 radii/,
      );
      await bad(
        JSON.stringify({
          schema: 'perifat-vessels/1',
          vessels: [
            {
              name: 'A',
              points: [
                [0, 0, 0],
                [1, 'x', 1],
              ],
              radii: [1, 1],
            },
          ],
        }),
        /"A" point 1/,
      );
      await bad(
        JSON.stringify({
          schema: 'perifat-vessels/1',
          vessels: [
            {
              name: 'A',
              points: [
                [0, 0, 0],
                [1, 1, 1],
              ],
              radii: [1, -1],
            },
          ],
        }),
        /radius 1/,
      );
      await bad(doc({ lesions: [{ vessel: 'LCx', start_mm: 0, end_mm: 5 }] }), /"LCx", which is not in the file/);
      await bad(doc({ lesions: [{ vessel: 'RCA', start_mm: 5, end_mm: 5 }] }), /invalid interval/);
      const out = JSON.stringify({
        schema: 'perifat-vessels/1',
        vessels: [
          {
            name: 'LCx',
            points: [
              [0, 0, 10],
              [0, 0, 20],
              [0, 0, 60],
            ],
            radii: [1, 1, 1],
          },
        ],
      });
      await bad(out, /vessel "LCx" point 2 .* outside the CT volume/, { ct: CT });
      await expectCode(loadVessels(join(t.dir, 'missing.json')), 'E_INPUT_NOT_FOUND');
      writeFileSync(join(t.dir, 'v.txt'), '');
      await expectCode(loadVessels(join(t.dir, 'v.txt')), 'E_CENTERLINE', /unknown centerline format/);
    } finally {
      t.done();
    }
  });
});

describe('VTK polydata', () => {
  const cases: [string, () => Uint8Array, string[]][] = [
    ['legacy ASCII with names', () => legacyAscii(LINES, { names: true }), ['RCA', 'LAD main']],
    [
      'legacy ASCII, VTK 5.1 cells, "radius"',
      () => legacyAscii(LINES, { v51: true, radiusName: 'radius' }),
      ['vessel0', 'vessel1'],
    ],
    ['legacy BINARY ("Radius")', () => legacyBinary(LINES), ['vessel0', 'vessel1']],
    ['XML ascii', () => vtp(LINES, 'ascii'), ['RCA', 'LAD main']],
    ['XML binary (base64)', () => vtp(LINES, 'binary'), ['RCA', 'LAD main']],
    ['XML binary zlib', () => vtp(LINES, 'binary-zlib'), ['RCA', 'LAD main']],
    ['XML appended raw', () => vtp(LINES, 'appended'), ['RCA', 'LAD main']],
    ['XML appended raw zlib', () => vtp(LINES, 'appended-zlib'), ['RCA', 'LAD main']],
  ];
  for (const [name, make, names] of cases) {
    it(name, async () => {
      const t = tempDir('vtk');
      try {
        const f = join(t.dir, name.startsWith('XML') ? 'c.vtp' : 'c.vtk');
        writeFileSync(f, make());
        expectLines((await loadVessels(f, { ct: CT })).vessels, names);
      } finally {
        t.done();
      }
    });
  }

  it('converts RAS points, and refuses files without radius or broken', async () => {
    const t = tempDir('vtkbad');
    try {
      const f = join(t.dir, 'c.vtk');
      writeFileSync(f, legacyAscii(LINES));
      const ras = await loadVessels(f, { vtkSpace: 'RAS' });
      expect(ras.vessels[0]?.points[1]).toEqual([-3, -4, 10]);
      writeFileSync(f, legacyAscii(LINES, { radiusName: 'Thickness' }));
      await expectCode(loadVessels(f), 'E_CENTERLINE', /no radius point array/);
      const good = legacyAscii(LINES);
      writeFileSync(f, good.subarray(0, good.length - 200));
      await expectCode(loadVessels(f), 'E_CENTERLINE', /malformed VTK/);
      writeFileSync(f, 'hello');
      await expectCode(loadVessels(f), 'E_CENTERLINE', /not a VTK file/);
      const bin = legacyBinary(LINES);
      writeFileSync(f, bin.subarray(0, 120));
      await expectCode(loadVessels(f), 'E_CENTERLINE');
    } finally {
      t.done();
    }
  });
});

describe('resamplePolyline', () => {
  const v: Vessel = {
    name: 'A',
    points: [
      [0, 0, 0],
      [10, 0, 0],
      [10, 5, 0],
    ],
    radii: [2, 1, 0.5],
  };

  it('places points every step along the arc, keeps the end, interpolates radii', () => {
    const r = resamplePolyline(v, 2);
    const s = arcLengths(r.points);
    expect(r.points.length).toBe(9); // 0,2,…,14 and the end at 15
    for (let i = 1; i < r.points.length - 1; i++) expect((s[i] as number) - (s[i - 1] as number)).toBeCloseTo(2, 9);
    expect(r.points[r.points.length - 1]).toEqual([10, 5, 0]);
    expect(r.radii[0]).toBe(2);
    expect(r.radii[3]).toBeCloseTo(1.4, 9); // s = 6: 60 % of the way from 2 to 1
    expect(r.radii[6]).toBeCloseTo(0.8, 9); // s = 12: 2 mm of 5 along 1 → 0.5
    expect(r.radii[r.radii.length - 1]).toBe(0.5);
    expect(resamplePolyline(v, 5).points.length).toBe(4); // 0, 5, 10, 15 (end on a step)
  });

  it('applies through loadVessels(stepMm) and refuses a bad step', async () => {
    const t = tempDir('step');
    try {
      const f = join(t.dir, 'v.json');
      writeFileSync(
        f,
        JSON.stringify({ schema: 'perifat-vessels/1', vessels: [{ name: 'A', points: v.points, radii: v.radii }] }),
      );
      expect((await loadVessels(f, { stepMm: 0.5 })).vessels[0]?.points.length).toBe(31);
      await expectCode(loadVessels(f, { stepMm: 0 }), 'E_OPTIONS');
      expect(() => resamplePolyline(v, -1)).toThrow(RangeError);
    } finally {
      t.done();
    }
  });
});
