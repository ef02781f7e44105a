/**
 * Reads perifat's TID 1500 SR back with dcmjs (independently of the writer): per measurement group
 * its tracking identifier, referenced segment, source series, numbers (keyed by concept code, and
 * "/derivation" code when it has one) with their units, and flags.
 */
import { readFileSync } from 'node:fs';
import dcmjs from 'dcmjs';

type Item = Record<string, unknown>;

export interface SrGroup {
  readonly trackingId: string;
  readonly segment: { sop: string; number: number };
  readonly sourceSeries: string | null;
  readonly numbers: Map<string, { value: number; text: string; unit: string }>;
  readonly flags: Map<string, { cutoff: number; value: number; source: string }>;
}

export function readDataset(path: string): Item {
  const bytes = readFileSync(path);
  const dict = dcmjs.data.DicomMessage.readFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  return dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.dict);
}

const seq = (it: Item, key: string): Item[] => (Array.isArray(it[key]) ? (it[key] as Item[]) : []);
const code = (it: Item, key: string): string => {
  const c = seq(it, key)[0] ?? {};
  return String(c['CodeValue'] ?? c['LongCodeValue'] ?? '');
};
const first = (v: unknown): unknown => (Array.isArray(v) ? v[0] : v);

export function srGroups(root: Item): SrGroup[] {
  const measurements = seq(root, 'ContentSequence').find((i) => code(i, 'ConceptNameCodeSequence') === '126010');
  if (!measurements) throw new Error('no Imaging Measurements container');
  return seq(measurements, 'ContentSequence').map((g) => {
    const items = seq(g, 'ContentSequence');
    const by = (c: string): Item | undefined => items.find((i) => code(i, 'ConceptNameCodeSequence') === c);
    const ref = seq(by('121191') ?? {}, 'ReferencedSOPSequence')[0] ?? {};
    const numbers = new Map<string, { value: number; text: string; unit: string }>();
    const flags = new Map<string, { cutoff: number; value: number; source: string }>();
    const numOf = (i: Item): { value: number; text: string; unit: string } => {
      const mv = seq(i, 'MeasuredValueSequence')[0] ?? {};
      return {
        value: Number(first(mv['FloatingPointValue'])),
        text: String(first(mv['NumericValue'])),
        unit: code(mv, 'MeasurementUnitsCodeSequence'),
      };
    };
    for (const i of items) {
      if (i['ValueType'] === 'NUM') {
        const deriv = seq(i, 'ContentSequence').find((m) => code(m, 'ConceptNameCodeSequence') === '121401');
        const key = code(i, 'ConceptNameCodeSequence') + (deriv ? `/${code(deriv, 'ConceptCodeSequence')}` : '');
        numbers.set(key, numOf(i));
      } else if (i['ValueType'] === 'CODE' && code(i, 'ConceptCodeSequence') === '52101004') {
        const props = seq(i, 'ContentSequence');
        const p = (c: string): Item => props.find((m) => code(m, 'ConceptNameCodeSequence') === c) ?? {};
        flags.set(code(i, 'ConceptNameCodeSequence'), {
          cutoff: numOf(p('CUTOFF')).value,
          value: numOf(p('FAI')).value,
          source: String(p('CUTOFFSRC')['TextValue']),
        });
      }
    }
    return {
      trackingId: String(by('112039')?.['TextValue']),
      segment: { sop: String(ref['ReferencedSOPInstanceUID']), number: Number(ref['ReferencedSegmentNumber']) },
      sourceSeries: by('121232') ? String(by('121232')?.['UID']) : null,
      numbers,
      flags,
    };
  });
}
