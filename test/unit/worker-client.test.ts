/**
 * The worker engine's page side against a stand-in Worker (structured clone with transfer, as a
 * browser does): calls after destroy() and pending ones reject at once; a worker that fails to load
 * is a typed error with a message; abort rejects within 100 ms and, given a factory, replaces a
 * worker still busy; volumes are transferred by default (a detached one handed in again is a typed
 * error, not a DataCloneError) or copied with `transfer: false`.
 */
import { describe, expect, it } from 'vitest';
import { RESTART_AFTER_MS, createWorkerEngine } from '../../src/api/worker-client';
import type { FromWorker, ToWorker } from '../../src/api/worker-protocol';
import { makePhantom } from '../../src/phantom';
import { expectCode } from '../io/helpers';

/** A Worker whose inside answers `init` and otherwise holds every job (a long measurement). */
class StandIn extends EventTarget {
  readonly received: ToWorker[] = [];
  terminated = false;
  constructor(private readonly loads = true) {
    super();
  }
  postMessage(m: ToWorker, transfer: Transferable[] = []): void {
    const copy = structuredClone<ToWorker>(m, { transfer });
    this.received.push(copy);
    queueMicrotask(() => {
      if (!this.loads) this.dispatchEvent(new Event('error'));
      else if (copy.type === 'init')
        this.reply({ id: copy.id, type: 'ready', backend: { api: 'cpu', runtime: 'browser', adapter: null } });
    });
  }
  reply(m: FromWorker): void {
    this.dispatchEvent(new MessageEvent('message', { data: m }));
  }
  terminate(): void {
    this.terminated = true;
  }
}
const asWorker = (s: StandIn) => s as unknown as Worker;
const ph = () => makePhantom({ dims: [16, 16, 8], spacing: [1, 1, 1], noiseSd: 0, seed: 2 });

describe('the worker engine', () => {
  it('destroy(): the pending call and every later one reject at once, typed', async () => {
    const w = new StandIn();
    const engine = await createWorkerEngine(asWorker(w));
    const pending = engine.measureFiles({ ct: new Uint8Array(4) });
    engine.destroy();
    await expectCode(pending, 'E_RUNTIME', /destroyed/);
    await expectCode(engine.measure({ ct: ph().ct }), 'E_RUNTIME', /destroyed/);
    expect(w.terminated).toBe(true);
  });

  it('a worker script that fails to load: a typed error that says what to check', async () => {
    const err = await expectCode(createWorkerEngine(asWorker(new StandIn(false))), 'E_RUNTIME', /could not be loaded/);
    expect(err.message).not.toContain('undefined');
  });

  it('abort rejects within 100 ms; a factory-made worker still busy is replaced', async () => {
    const made: StandIn[] = [];
    const engine = await createWorkerEngine(() => {
      made.push(new StandIn());
      return asWorker(made.at(-1) as StandIn);
    });
    const ac = new AbortController();
    const job = engine.measureFiles({ ct: new Uint8Array(4) }, { signal: ac.signal });
    const t0 = performance.now();
    ac.abort();
    await expectCode(job, 'E_ABORTED');
    expect(performance.now() - t0).toBeLessThan(100);
    expect(made[0]?.received.map((m) => m.type)).toEqual(['init', 'measureFiles', 'abort']);
    await new Promise((r) => setTimeout(r, RESTART_AFTER_MS + 50));
    expect(made[0]?.terminated).toBe(true);
    expect(made[1]?.received.map((m) => m.type)).toEqual(['init']);
    engine.destroy();
  });

  it('transfers by default (a detached volume again is E_OPTIONS), copies with transfer: false', async () => {
    const w = new StandIn();
    const engine = await createWorkerEngine(asWorker(w));
    const { ct } = ph();
    const n = ct.hu.length;
    void engine.measure({ ct }, { transfer: false }).catch(() => {});
    expect(ct.hu.length).toBe(n);
    const sent = w.received.at(-1) as ToWorker & { type: 'measure' };
    expect(sent.request.ct.hu.length).toBe(n);
    void engine.measure({ ct }).catch(() => {});
    expect(ct.hu.length).toBe(0);
    await expectCode(engine.measure({ ct }), 'E_OPTIONS', /detached.*transfer: false/);
    await expectCode(engine.measure({ ct }, { transfer: 'no' } as never), 'E_OPTIONS', /transfer/);
    engine.destroy();
  });

  it('an option the engine does not know: E_OPTIONS before the worker starts', async () => {
    await expectCode(createWorkerEngine(asWorker(new StandIn()), { backnd: 'cpu' } as never), 'E_OPTIONS', /backnd/);
  });
});
