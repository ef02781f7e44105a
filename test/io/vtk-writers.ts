/** Small VTK polydata writers for the tests (legacy ASCII/BINARY, XML ascii/binary/appended). */
import { zlibSync } from 'fflate';
import { concatBytes } from '../../src/util/bytes';

export interface Line {
  name: string;
  points: [number, number, number][];
  radii: number[];
}

/** Two small centerlines the VTK tests write in every format and read back. */
export const SAMPLE_LINES: Line[] = [
  {
    name: 'RCA',
    points: [
      [0, 0, 10],
      [3, 4, 10],
      [3, 4, 20],
    ],
    radii: [2, 1.5, 1],
  },
  {
    name: 'LAD main',
    points: [
      [-5, -5, 5],
      [-5, -5, 7],
      [-6, -5, 9],
      [-8, -5, 12],
    ],
    radii: [1.8, 1.7, 1.6, 1.2],
  },
];

function flat(lines: Line[]): { pts: number[]; radii: number[]; cells: number[][] } {
  const pts: number[] = [];
  const radii: number[] = [];
  const cells: number[][] = [];
  for (const l of lines) {
    const ids: number[] = [];
    l.points.forEach((p, i) => {
      ids.push(pts.length / 3);
      pts.push(...p);
      radii.push(l.radii[i] as number);
    });
    cells.push(ids);
  }
  return { pts, radii, cells };
}

export function legacyAscii(
  lines: Line[],
  opts: { radiusName?: string; names?: boolean; v51?: boolean } = {},
): Uint8Array {
  const { pts, radii, cells } = flat(lines);
  const out: string[] = ['# vtk DataFile Version 4.2', 'centerlines', 'ASCII', 'DATASET POLYDATA'];
  out.push(`POINTS ${pts.length / 3} double`, pts.join(' '));
  if (opts.v51) {
    const offsets = [0];
    for (const c of cells) offsets.push((offsets[offsets.length - 1] as number) + c.length);
    out.push(
      `LINES ${offsets.length} ${pts.length / 3}`,
      'OFFSETS vtktypeint64',
      offsets.join(' '),
      'CONNECTIVITY vtktypeint64',
      cells.flat().join(' '),
    );
  } else {
    const size = cells.reduce((n, c) => n + c.length + 1, 0);
    out.push(`LINES ${cells.length} ${size}`, ...cells.map((c) => [c.length, ...c].join(' ')));
  }
  if (opts.names)
    out.push(
      `CELL_DATA ${cells.length}`,
      'FIELD FieldData 1',
      `Name 1 ${cells.length} string`,
      ...lines.map((l) => l.name.replace(/ /g, '%20')),
    );
  out.push(
    `POINT_DATA ${pts.length / 3}`,
    `SCALARS ${opts.radiusName ?? 'MaximumInscribedSphereRadius'} double 1`,
    'LOOKUP_TABLE default',
    radii.join(' '),
  );
  out.push('NORMALS n float', new Array<number>(pts.length).fill(0).join(' '));
  return new TextEncoder().encode(out.join('\n') + '\n');
}

/** Legacy BINARY: keyword lines in ASCII, values big endian. */
export function legacyBinary(lines: Line[]): Uint8Array {
  const { pts, radii, cells } = flat(lines);
  const parts: Uint8Array[] = [];
  const txt = (s: string): void => void parts.push(new TextEncoder().encode(s));
  const be = (vals: number[], type: 'f32' | 'i32' | 'f64'): void => {
    const size = type === 'f64' ? 8 : 4;
    const b = new Uint8Array(vals.length * size);
    const dv = new DataView(b.buffer);
    vals.forEach((v, i) =>
      type === 'f32'
        ? dv.setFloat32(i * 4, v, false)
        : type === 'i32'
          ? dv.setInt32(i * 4, v, false)
          : dv.setFloat64(i * 8, v, false),
    );
    parts.push(b);
  };
  txt(`# vtk DataFile Version 3.0\ncenterlines\nBINARY\nDATASET POLYDATA\nPOINTS ${pts.length / 3} float\n`);
  be(pts, 'f32');
  const size = cells.reduce((n, c) => n + c.length + 1, 0);
  txt(`\nLINES ${cells.length} ${size}\n`);
  be(
    cells.flatMap((c) => [c.length, ...c]),
    'i32',
  );
  txt(`\nPOINT_DATA ${pts.length / 3}\nSCALARS Radius double\nLOOKUP_TABLE default\n`);
  be(radii, 'f64');
  txt('\n');
  const n = parts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

type Fmt = 'ascii' | 'binary' | 'appended' | 'appended-zlib' | 'binary-zlib';

/** XML .vtp; binary data as VTK writes it (UInt32 header, header and data base64-encoded separately). */
export function vtp(lines: Line[], format: Fmt): Uint8Array {
  const { pts, radii, cells } = flat(lines);
  const offsets: number[] = [];
  let acc = 0;
  for (const c of cells) offsets.push((acc += c.length));
  const names = lines.map((l) => l.name);
  const nameCodes = names.flatMap((s) => [...s].map((ch) => ch.charCodeAt(0)).concat(0));
  const arrays: { tag: string; type: string; vals: number[]; bytes: (v: number[]) => Uint8Array; comps?: number }[] = [
    { tag: 'Points', type: 'Float64', vals: pts, bytes: (v) => new Uint8Array(Float64Array.from(v).buffer), comps: 3 },
    {
      tag: 'connectivity',
      type: 'Int64',
      vals: cells.flat(),
      bytes: (v) => new Uint8Array(BigInt64Array.from(v.map(BigInt)).buffer),
    },
    {
      tag: 'offsets',
      type: 'Int64',
      vals: offsets,
      bytes: (v) => new Uint8Array(BigInt64Array.from(v.map(BigInt)).buffer),
    },
    {
      tag: 'MaximumInscribedSphereRadius',
      type: 'Float32',
      vals: radii,
      bytes: (v) => new Uint8Array(Float32Array.from(v).buffer),
    },
    { tag: 'CenterlineName', type: 'String', vals: nameCodes, bytes: (v) => Uint8Array.from(v) },
  ];
  const zlib = format.endsWith('zlib');
  const block = (data: Uint8Array): Uint8Array => {
    if (!zlib) {
      const h = new Uint8Array(4);
      new DataView(h.buffer).setUint32(0, data.length, true);
      return concatBytes([h, data]);
    }
    const c = zlibSync(data);
    const h = new Uint8Array(16);
    const dv = new DataView(h.buffer);
    dv.setUint32(0, 1, true);
    dv.setUint32(4, data.length, true);
    dv.setUint32(8, data.length, true);
    dv.setUint32(12, c.length, true);
    return concatBytes([h, c]);
  };
  const b64 = (u: Uint8Array): string => Buffer.from(u).toString('base64');
  const appendedParts: Uint8Array[] = [];
  let appOffset = 0;
  const da = (a: (typeof arrays)[number]): string => {
    const head = `<DataArray type="${a.type}" Name="${a.tag}"${a.comps ? ` NumberOfComponents="${a.comps}"` : ''}`;
    if (format === 'ascii') return `${head} format="ascii">${a.vals.join(' ')}</DataArray>`;
    const raw = a.bytes(a.vals);
    if (format === 'binary' || format === 'binary-zlib') {
      const blk = block(raw);
      const hl = zlib ? 16 : 4;
      return `${head} format="binary">${b64(blk.subarray(0, hl))}${b64(blk.subarray(hl))}</DataArray>`;
    }
    const blk = block(raw);
    const off = appOffset;
    appendedParts.push(blk);
    appOffset += blk.length;
    return `${head} format="appended" offset="${off}"/>`;
  };
  const [P, C, O, R, N] = arrays as [
    (typeof arrays)[number],
    (typeof arrays)[number],
    (typeof arrays)[number],
    (typeof arrays)[number],
    (typeof arrays)[number],
  ];
  let xml =
    `<?xml version="1.0"?>\n<VTKFile type="PolyData" version="1.0" byte_order="LittleEndian" header_type="UInt32"${zlib ? ' compressor="vtkZLibDataCompressor"' : ''}>\n<PolyData>\n` +
    `<Piece NumberOfPoints="${pts.length / 3}" NumberOfVerts="0" NumberOfLines="${cells.length}" NumberOfStrips="0" NumberOfPolys="0">\n` +
    `<PointData Scalars="MaximumInscribedSphereRadius">${da(R)}</PointData>\n<CellData>${da(N)}</CellData>\n` +
    `<Points>${da(P)}</Points>\n<Lines>${da(C)}${da(O)}</Lines>\n</Piece>\n</PolyData>\n`;
  if (appendedParts.length === 0) return new TextEncoder().encode(xml + '</VTKFile>\n');
  xml += '<AppendedData encoding="raw">\n_';
  return concatBytes([
    new TextEncoder().encode(xml),
    ...appendedParts,
    new TextEncoder().encode('\n</AppendedData>\n</VTKFile>\n'),
  ]);
}
