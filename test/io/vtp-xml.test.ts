/**
 * The .vtp reader is a real XML parser (saxes): what the XML grammar allows is read, what it
 * forbids is refused with a typed error naming the file, and nothing in comments, CDATA or a
 * DOCTYPE changes the numbers. Raw appended data is cut out of the XML by the "_" marker.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join as joinPath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readVessels } from '../../src/io';
import type { Vessel } from '../../src/volume/vessels';
import { concatBytes } from '../../src/util/bytes';
import { expectCode } from './helpers';
import { SAMPLE_LINES, vtp, type Line } from './vtk-writers';

const LINES = SAMPLE_LINES;

/** .vtp files written by VTK 9.1 itself: every data mode, encoding, compressor, header type. */
const VTK9 = fileURLToPath(new URL('./fixtures/vtk9/', import.meta.url));

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

function expectLines(vs: readonly Vessel[]): void {
  expect(vs.map((v) => v.name)).toEqual(['RCA', 'LAD main']);
  vs.forEach((v, i) => {
    const l = LINES[i] as Line;
    expect(v.points.length).toBe(l.points.length);
    v.points.forEach((p, j) => p.forEach((x, a) => expect(x).toBeCloseTo((l.points[j] as number[])[a] as number, 5)));
    v.radii.forEach((r, j) => expect(r).toBeCloseTo(l.radii[j] as number, 5));
  });
}

const read = (b: Uint8Array, name = 'c.vtp'): ReturnType<typeof readVessels> => readVessels(b, { name });

/** Split a raw-appended .vtp into its XML head (through "_"), the binary body and the XML tail. */
function splitAppended(b: Uint8Array): { head: string; body: Uint8Array; tail: string } {
  const text = dec(b.subarray(0, 4096)); // the head is ASCII: character index = byte index
  const us = text.indexOf('_', text.indexOf('<AppendedData')) + 1;
  const tailStart = b.length - '\n</AppendedData>\n</VTKFile>\n'.length;
  return { head: dec(b.subarray(0, us)), body: b.subarray(us, tailStart), tail: dec(b.subarray(tailStart)) };
}

function join(...parts: (string | Uint8Array)[]): Uint8Array {
  return concatBytes(parts.map((p) => (typeof p === 'string' ? enc(p) : p)));
}

/** Every start tag rewritten: single quotes, attributes in reverse order, newlines and tabs between. */
function restyle(xml: string): string {
  return xml.replace(
    /<([A-Za-z]\w*)((?:\s+[\w:]+="[^"]*")*)\s*(\/?)>/g,
    (_m, name: string, attrs: string, self: string) => {
      const list = [...attrs.matchAll(/([\w:]+)="([^"]*)"/g)].map((m) => `${m[1]}  =\n '${m[2]}'`).reverse();
      return `<${name}${list.map((a) => `\n\t   ${a}`).join('')}\n  ${self}>`;
    },
  );
}

describe('VTK XML read with an XML parser', () => {
  it('attributes in single quotes, in another order, with newlines and tabs inside tags', async () => {
    const ascii = restyle(dec(vtp(LINES, 'ascii')));
    expect(ascii).toContain("\n\t   format  =\n 'ascii'");
    expectLines((await read(enc(ascii))).vessels);
    const { head, body, tail } = splitAppended(vtp(LINES, 'appended-zlib'));
    expectLines((await read(join(restyle(head.slice(0, -1)) + '_', body, tail))).vessels);
  });

  it('comments holding <DataArray> or <AppendedData> text are ignored (a regex reader took them)', async () => {
    const decoy =
      '<!-- old: <DataArray type="Float64" Name="Points" NumberOfComponents="3" format="ascii">' +
      '9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9 9</DataArray> -->';
    const xml = dec(vtp(LINES, 'ascii')).replace('<Points>', `<Points>${decoy}`);
    // What the former regex reader did: the first <DataArray …>…</DataArray> in <Points>…</Points>.
    const section = /<Points\b[^>]*>([\s\S]*?)<\/Points>/.exec(xml)?.[1] ?? '';
    const first = /<DataArray\b([^>]*?)(\/>|>([\s\S]*?)<\/DataArray>)/.exec(section);
    expect(first?.[3]).toMatch(/^9 9 9/); // fooled: the commented-out array
    expectLines((await read(enc(xml))).vessels); // the parser reads the real one

    // A commented <AppendedData> before the real one: a text search would read blocks from the wrong "_".
    const { head, body, tail } = splitAppended(vtp(LINES, 'appended'));
    const fake = '<!-- <AppendedData encoding="raw">_ --><!-- <![CDATA[ <AppendedData> ]]> -->';
    const withFake = head.replace('<PolyData>', `${fake}\n<PolyData>`);
    expect(withFake.indexOf('<AppendedData')).toBeLessThan(withFake.lastIndexOf('<AppendedData'));
    expectLines((await read(join(withFake, body, tail))).vessels);
  });

  it('CDATA sections hold ascii and base64 data', async () => {
    const ascii = dec(vtp(LINES, 'ascii')).replace(
      /(<DataArray[^>]*format="ascii">)([^<]*)<\/DataArray>/g,
      (_m, open: string, text: string) => `${open}<![CDATA[${text}]]></DataArray>`,
    );
    expect(ascii.match(/CDATA/g)?.length).toBe(5);
    expectLines((await read(enc(ascii))).vessels);
    const bin = dec(vtp(LINES, 'binary-zlib')).replace(
      /(format="binary">)([A-Za-z0-9+/=]{8})([^<]*)</g,
      (_m, open: string, a: string, b: string) => `${open}${a}<![CDATA[${b}]]><!-- between -->\n<`,
    );
    expect(bin.match(/CDATA/g)?.length).toBe(5);
    expectLines((await read(enc(bin))).vessels);
  });

  it('a UTF-8 byte-order mark, an XML declaration with encoding, CRLF line ends, non-ASCII text', async () => {
    const bom = Uint8Array.of(0xef, 0xbb, 0xbf);
    const ascii = dec(vtp(LINES, 'ascii'))
      .replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>')
      .replace('<PolyData>', '<!-- Größe: 5 µm, 冠状动脉 --><PolyData Note="Größe µm">');
    expectLines((await read(join(bom, ascii))).vessels);
    expectLines((await read(join(bom, vtp(LINES, 'binary')))).vessels);
    // Raw appended: block offsets count from the "_", whatever the BOM and line ends before it.
    const { head, body, tail } = splitAppended(vtp(LINES, 'appended'));
    const crlf = (s: string): string => s.replace(/\n/g, '\r\n');
    expectLines(
      (await read(join(bom, crlf(head).replace('<PolyData>', '<PolyData Note="µ">'), body, crlf(tail)))).vessels,
    );
    // VTK's own base64 appended file, with a BOM before it.
    expectLines((await read(join(bom, readFileSync(joinPath(VTK9, 'appended-base64-zlib.vtp'))))).vessels);
  });

  it('a ">" inside an attribute of the <AppendedData> start tag', async () => {
    const { head, body, tail } = splitAppended(vtp(LINES, 'appended'));
    const odd = head.replace('<AppendedData encoding="raw">', '<AppendedData Note="a > b >" encoding="raw" >');
    expect(odd).toContain('a > b >');
    expectLines((await read(join(odd, body, tail))).vessels);
  });

  it("every file VTK 9's own vtkXMLPolyDataWriter writes (fixtures/vtk9, from make_vtk9_vtp.py)", async () => {
    const files = readdirSync(VTK9).filter((f) => f.endsWith('.vtp'));
    expect(files.length).toBe(16);
    for (const f of files) expectLines((await read(readFileSync(joinPath(VTK9, f)), f)).vessels);
  });
});

describe('VTK XML the parser refuses, typed and naming the file', () => {
  const good = dec(vtp(LINES, 'ascii'));

  it('a DOCTYPE entity bomb (billion laughs) and an external entity', async () => {
    let dtd = '<!ENTITY lol0 "lol">';
    for (let i = 1; i <= 9; i++) dtd += `<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`;
    const bomb = good
      .replace('<VTKFile', `<!DOCTYPE VTKFile [${dtd}]>\n<VTKFile`)
      .replace('<PolyData>', '<PolyData>&lol9;');
    const t0 = performance.now();
    const e = await expectCode(read(enc(bomb), 'bomb.vtp'), 'E_CENTERLINE', /DOCTYPE is not allowed/);
    expect(e.file).toBe('bomb.vtp');
    expect(performance.now() - t0).toBeLessThan(2000);
    // Without the DOCTYPE the entity is simply undefined.
    await expectCode(read(enc(good.replace('<PolyData>', '<PolyData>&lol9;'))), 'E_CENTERLINE', /undefined entity/);
    const xxe = good
      .replace('<VTKFile', '<!DOCTYPE VTKFile [<!ENTITY x SYSTEM "file:///etc/passwd">]><VTKFile')
      .replace('Name="CenterlineName"', 'Name="&x;"');
    await expectCode(read(enc(xxe), 'xxe.vtp'), 'E_CENTERLINE', /DOCTYPE/);
  });

  const malformed: [string, string][] = [
    ['an unclosed tag', good.replace('</Points>', '')],
    ['a mismatched closing tag', good.replace('</Lines>', '</Line>')],
    ['no closing root tag', good.replace('</VTKFile>', '')],
    ['an unquoted attribute', good.replace('type="PolyData"', 'type=PolyData')],
    ['a duplicate attribute', good.replace('type="PolyData"', 'type="PolyData" type="PolyData"')],
    ['"<" in an attribute value', good.replace('Name="CenterlineName"', 'Name="a<b"')],
    ['an undefined entity in an attribute', good.replace('Name="CenterlineName"', 'Name="&name;"')],
    ['a NUL character reference', good.replace('<Points>', '<Points>&#0;')],
    ['an unterminated comment', good.replace('<Points>', '<Points><!-- never closed')],
    ['text after the root element', `${good}trailing`],
    ['two root elements', `${good}<VTKFile/>`],
    ['an XML declaration not at the start', good.replace('<?xml version="1.0"?>\n', '\n<?xml version="1.0"?>')],
  ];
  for (const [what, xml] of malformed) {
    it(`malformed XML: ${what}`, async () => {
      expect(xml).not.toBe(good);
      const e = await expectCode(read(enc(xml), 'bad.vtp'), 'E_CENTERLINE', /malformed VTK file/);
      expect(e.file).toBe('bad.vtp');
      expect(e.message).toMatch(/^bad\.vtp: /);
    });
  }

  it('raw appended data: truncated, without "_", or with an offset outside it', async () => {
    const { head, body, tail } = splitAppended(vtp(LINES, 'appended'));
    const cases: [Uint8Array, RegExp][] = [
      [join(head, body), /never closed/],
      [join(head.slice(0, -1), 'x', body, tail), /"_" marker/],
      [join(head.replace('offset="0"', 'offset="999999"'), body, tail), /outside the appended data/],
      [join(head.replace('offset="0"', 'offset="-4"'), body, tail), /outside the appended data/],
      [join(head.replace('encoding="raw"', 'encoding="hex"'), body, tail), /unknown AppendedData encoding/],
      [join(head, body, tail.replace('</VTKFile>', '</VTKFile><x/>')), /malformed/],
      [join(head, body.subarray(0, body.length - 9), tail), /runs past the end/],
    ];
    for (const [bytes, re] of cases) {
      const e = await expectCode(read(bytes, 'app.vtp'), 'E_CENTERLINE', re);
      expect(e.file).toBe('app.vtp');
    }
  });

  it('not a VTKFile, too many elements, too many "<AppendedData" texts', async () => {
    await expectCode(
      read(enc('<?xml version="1.0"?><svg/>')),
      'E_CENTERLINE',
      /root element is <svg>, expected <VTKFile>/,
    );
    const many = good.replace('<PolyData>', `<PolyData>${'<x/>'.repeat(70_000)}`);
    await expectCode(read(enc(many), 'many.vtp'), 'E_TOO_LARGE', /more than 65536 elements/);
    const noisy = good.replace('<PolyData>', `<!--${' <AppendedData>'.repeat(2000)} --><PolyData>`);
    await expectCode(read(enc(noisy), 'noisy.vtp'), 'E_CENTERLINE', /too many "<AppendedData" texts/);
  });
});
