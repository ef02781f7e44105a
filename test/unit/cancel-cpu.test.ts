/**
 * The CPU backend answers a cancel within 100 ms and reports progress at least every 250 ms, on the
 * calling thread (a page's or worker's engine: `perifat` createEngine) and in Node (`perifat/node`,
 * shells over worker threads). The cancel is timed from when it was due, so CPU work that holds the
 * thread (and so delays the abort itself) counts against it.
 */
import { describe, expect, it } from 'vitest';
import { createEngine as createPageEngine } from '../../src/api/index';
import { createEngine as createNodeEngine } from '../../src/api/node';
import type { Engine, MeasureStage } from '../../src/api/index';
import { PerifatError } from '../../src/errors';
import { makePhantom } from '../../src/phantom';

const ph = makePhantom({ dims: [128, 128, 96], spacing: [0.45, 0.45, 0.5], noiseSd: 8, seed: 5 });
const request = { ct: ph.ct, pericardium: ph.pericardium, vessels: ph.vessels };

/** Progress events with their times, and the longest gap between two (or from the start). */
async function progressTrace(engine: Engine): Promise<{ stages: [MeasureStage, number][]; maxGap: number }> {
  const stages: [MeasureStage, number][] = [];
  const t0 = performance.now();
  let last = t0;
  let maxGap = 0;
  await engine.measure(request, {
    onProgress: (p) => {
      const t = performance.now();
      maxGap = Math.max(maxGap, t - last);
      last = t;
      stages.push([p.stage, t - t0]);
    },
  });
  return { stages, maxGap };
}

/** Abort as `stage` begins (its work then runs until perifat next checks); the time to E_ABORTED. */
async function abortIn(engine: Engine, stage: MeasureStage): Promise<number> {
  const ac = new AbortController();
  let due = Number.POSITIVE_INFINITY;
  try {
    await engine.measure(request, {
      signal: ac.signal,
      onProgress: (p) => {
        if (p.stage !== stage || ac.signal.aborted) return;
        due = performance.now();
        ac.abort();
      },
    });
  } catch (e) {
    expect(e).toBeInstanceOf(PerifatError);
    expect((e as PerifatError).code).toBe('E_ABORTED');
    return performance.now() - due;
  }
  throw new Error(`the measurement finished although aborted in ${stage}`);
}

describe.each([
  ['calling thread', () => createPageEngine({ backend: 'cpu' })],
  ['Node, worker threads', () => createNodeEngine({ backend: 'cpu' })],
])('CPU backend (%s)', (_where, make) => {
  it('reports progress at least every 250 ms, in every stage', async () => {
    const engine = await make();
    const { stages, maxGap } = await progressTrace(engine);
    console.log(
      stages
        .filter((x, i) => x[1] - (stages[i - 1]?.[1] ?? 0) > 100)
        .map(([s, t]) => `${s}@${t.toFixed(0)}`)
        .join(' '),
      `\nprogress: max gap ${maxGap.toFixed(0)} ms over ${stages.length} events, ${stages.at(-1)?.[1].toFixed(0)} ms`,
    );
    expect(new Set(stages.map((s) => s[0]))).toEqual(
      new Set([
        'prepare',
        'eat',
        'pericoronary',
        'pericoronary.plan',
        'pericoronary.classify',
        'pericoronary.stats',
        'report',
        'done',
      ]),
    );
    expect(maxGap).toBeLessThan(250);
  });

  it('a cancel mid-stage is E_ABORTED within 100 ms, in every stage', async () => {
    const engine = await make();
    const { stages } = await progressTrace(engine);
    const working = [...new Set(stages.map((s) => s[0]))].filter((s) => s !== 'report' && s !== 'done');
    expect(working).toContain('pericoronary.classify');
    for (const stage of working) {
      const ms = await abortIn(engine, stage);
      console.log(`abort in ${stage}: E_ABORTED ${ms.toFixed(0)} ms after it was due`);
      expect(ms, stage).toBeLessThan(100);
    }
  });
});
