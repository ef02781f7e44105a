/**
 * SR content items (PS3.3 C.17.3, the DICOM value types) as naturalized sequence items: the
 * building blocks of perifat's TID 1500 tree, written here rather than with dcmjs's TID 1500
 * templates (their ReferencedSegmentation options and Measurement check are wrong).
 */
import { type Code, type Dataset, codeItem, decimalString } from './dicom-write';

export type Relationship = 'CONTAINS' | 'HAS CONCEPT MOD' | 'HAS OBS CONTEXT' | 'HAS PROPERTIES';

function base(rel: Relationship, type: string, concept: Code | null, children: Dataset[]): Dataset {
  const item: Dataset = { RelationshipType: rel, ValueType: type };
  if (concept) item['ConceptNameCodeSequence'] = [codeItem(concept)];
  if (children.length > 0) item['ContentSequence'] = children;
  return item;
}

export function container(rel: Relationship, concept: Code, children: Dataset[]): Dataset {
  return { ...base(rel, 'CONTAINER', concept, children), ContinuityOfContent: 'SEPARATE' };
}

export function codeValue(rel: Relationship, concept: Code, value: Code, children: Dataset[] = []): Dataset {
  return { ...base(rel, 'CODE', concept, children), ConceptCodeSequence: [codeItem(value)] };
}

export function text(rel: Relationship, concept: Code, value: string): Dataset {
  return { ...base(rel, 'TEXT', concept, []), TextValue: value };
}

export function uidRef(rel: Relationship, concept: Code, uid: string): Dataset {
  return { ...base(rel, 'UIDREF', concept, []), UID: uid };
}

/**
 * A NUM item: the value as a decimal string (16 characters) and, exactly, as a 64-bit float
 * (Floating Point Value), so a reader gets the report's number to the last bit.
 */
export function numeric(
  rel: Relationship,
  concept: Code,
  value: number,
  unit: Code,
  children: Dataset[] = [],
): Dataset {
  return {
    ...base(rel, 'NUM', concept, children),
    MeasuredValueSequence: [
      { MeasurementUnitsCodeSequence: [codeItem(unit)], NumericValue: decimalString(value), FloatingPointValue: value },
    ],
  };
}

/** An IMAGE item that points at one segment of a SEG instance. */
export function segmentRef(rel: Relationship, concept: Code, sopClass: string, sop: string, segment: number): Dataset {
  return {
    ...base(rel, 'IMAGE', concept, []),
    ReferencedSOPSequence: [
      { ReferencedSOPClassUID: sopClass, ReferencedSOPInstanceUID: sop, ReferencedSegmentNumber: segment },
    ],
  };
}

/** An IMAGE item (no concept name, as in an image library) that points at a source image and frame. */
export function imageRef(
  rel: Relationship,
  concept: Code | null,
  sopClass: string,
  sop: string,
  frame: number | null,
): Dataset {
  return {
    ...base(rel, 'IMAGE', concept, []),
    ReferencedSOPSequence: [
      {
        ReferencedSOPClassUID: sopClass,
        ReferencedSOPInstanceUID: sop,
        ...(frame !== null ? { ReferencedFrameNumber: frame } : {}),
      },
    ],
  };
}
