/**
 * The --trace syntax: well-formed specs parse to the points given, and every malformed one is an
 * E_USAGE that names what is wrong (before any volume is read).
 */
import { describe, expect, it } from 'vitest';
import { PerifatError } from '../../src/errors';
import { parseTraceSpec } from '../../src/centerlines/trace';

function usageError(spec: string): PerifatError {
  try {
    parseTraceSpec(spec);
  } catch (e) {
    expect(e).toBeInstanceOf(PerifatError);
    expect((e as PerifatError).code).toBe('E_USAGE');
    return e as PerifatError;
  }
  throw new Error(`no error for ${JSON.stringify(spec)}`);
}

describe('parseTraceSpec', () => {
  it('parses several vessels, with spaces, negative and decimal numbers, a trailing ";"', () => {
    const r = parseTraceSpec(' RCA: -8.1,-18.4,9.3 ; 1,2,3;4e0, 5 ,6; | LAD:6.6,-11.5,20.8;0,0,0 ');
    expect(r).toEqual([
      {
        name: 'RCA',
        points: [
          [-8.1, -18.4, 9.3],
          [1, 2, 3],
          [4, 5, 6],
        ],
      },
      {
        name: 'LAD',
        points: [
          [6.6, -11.5, 20.8],
          [0, 0, 0],
        ],
      },
    ]);
  });

  it.each([
    ['', /empty/],
    ['RCA', /no "NAME:"/],
    ['RCA:1,2,3;4,5,6|', /empty vessel/],
    [':1,2,3;4,5,6', /vessel name ""/],
    ['R C A:1,2,3;4,5,6', /vessel name "R C A"/],
    ['RCA:1,2,3', /at least 2 points/],
    ['RCA:1,2;4,5,6', /RCA point 1 .* three numbers/],
    ['RCA:1,2,3,4;4,5,6', /RCA point 1 .* not 4/],
    ['RCA:1,2,3;4,x,6', /RCA point 2 .* not a number/],
    ['RCA:1,2,3;4,,6', /RCA point 2 .* not a number/],
    ['RCA:1,2,3;;4,5,6', /empty point/],
    ['RCA:1,2,3;1,2,3', /points 1 and 2 are the same/],
    ['RCA:1,2,3;4,5,6|RCA:7,8,9;1,1,1', /RCA is given twice/],
    ['RCA:1,2,3;Infinity,5,6', /not a number/],
  ])('%j → E_USAGE %s', (spec, message) => {
    expect(usageError(spec).message).toMatch(message);
  });
});
