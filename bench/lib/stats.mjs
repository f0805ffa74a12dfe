// Timing helpers: medians of per-call means over interleaved rounds.
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';

export const median = (xs) => {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return NaN;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
};
export const nowNs = () => process.hrtime.bigint();
export const sinceNs = (t0) => Number(process.hrtime.bigint() - t0);

let lastTrue = 0;
/** How many calls of the last batch timed by `timeSync` or `timeAsync` answered true. */
export const answeredTrue = () => lastTrue;

/**
 * Mean ns per call of a sync fn over `iters` calls (`answeredTrue()`: how many answered true).
 * With `refresh`, the calls are timed in chunks of `chunk`, and `refresh(first)` runs untimed
 * before each, given the index of the chunk's first call.
 */
export function timeSync(fn, iters, chunk = iters, refresh = null) {
  let sink = 0;
  let ns = 0;
  for (let start = 0; start < iters; start += chunk) {
    refresh?.(start);
    const end = Math.min(iters, start + chunk);
    const t0 = nowNs();
    for (let k = start; k < end; k++) if (fn(k)) sink++;
    ns += sinceNs(t0);
  }
  lastTrue = sink;
  return ns / iters;
}
/** Mean ns per call of an async fn over `iters` sequential awaited calls (as `timeSync`). */
export async function timeAsync(fn, iters, chunk = iters, refresh = null) {
  let sink = 0;
  let ns = 0;
  for (let start = 0; start < iters; start += chunk) {
    refresh?.(start);
    const end = Math.min(iters, start + chunk);
    const t0 = nowNs();
    for (let k = start; k < end; k++) if (await fn(k)) sink++;
    ns += sinceNs(t0);
  }
  lastTrue = sink;
  return ns / iters;
}

/** How many calls a fresh-token chunk holds (see `FreshTokens`). */
export const FRESH_CHUNK = 256;

/**
 * Token strings as requests bring them: each call gets a string object never used before, whose
 * hash no cache keyed by strings (V8 keeps a string's hash in the string) has computed, made
 * just before its chunk of calls so that it is in the processor's cache, as a header value just
 * read is. `refresh(first)` (untimed, before each chunk of `FRESH_CHUNK` calls) copies
 * `texts[first + j]` (cyclically) into `at(first + j)`'s slot; copied through bytes, so each is
 * a flat string of its own, not a slice of the original.
 */
export class FreshTokens {
  constructor(texts) {
    this.bytes = texts.map((t) => Buffer.from(t, 'latin1'));
    this.ring = new Array(FRESH_CHUNK);
    this.refresh = (first) => {
      const n = this.bytes.length;
      for (let j = 0; j < FRESH_CHUNK; j++) this.ring[j] = this.bytes[(first + j) % n].toString('latin1');
    };
  }

  /** The token of call `k` (valid within its chunk). */
  at(k) {
    return this.ring[k % FRESH_CHUNK];
  }
}


/**
 * Runs contenders interleaved for `rounds` rounds; medians in ns. The order rotates (A B C, then
 * B C A, ...) and every other round runs backwards (C B A, ...), so that no contender always
 * follows the same one: a contender inherits what the one before leaves behind (garbage to
 * collect, an idle thread pool), and a fixed neighbour would charge it to one contender only.
 * `settle`, when given, runs before every batch, untimed: with a full garbage collection there
 * (see `fullCollection`), every batch starts on a clean heap and no batch collects another's
 * garbage. A batch pays the minor collections of its own allocations; what it leaves for a
 * major collection is collected by the next `settle`, untimed, which spares the contenders
 * that allocate most (the JavaScript libraries) more than tessera's calls, which allocate little.
 *
 * A contender's `prepare()`, when given, also runs before each of its batches, untimed (a new
 * handle table: what a batch must not inherit from the one before); its `fresh` (a
 * `FreshTokens`), when given, makes its token strings, chunk by chunk, untimed. Its
 * `truthy`, when given, is how many of a batch's calls must answer true: every batch is
 * checked, and a batch that answered otherwise is a disagreement (the harness then fails), so
 * that no contender is timed on a path cheaper than the decision it should make.
 */
export async function interleave(contenders, rounds, { settle, disagreements } = {}) {
  const samples = Object.fromEntries(contenders.map((c) => [c.name, []]));
  const n = contenders.length;
  for (let r = 0; r < rounds; r++) {
    const shift = Math.floor(r / 2) % n;
    for (let k = 0; k < n; k++) {
      const at = r % 2 === 0 ? k : n - 1 - k;
      const c = contenders[(at + shift) % n];
      settle?.();
      c.prepare?.();
      const chunk = c.fresh ? FRESH_CHUNK : c.iters;
      const refresh = c.fresh ? c.fresh.refresh : null;
      samples[c.name].push(c.async ? await timeAsync(c.fn, c.iters, chunk, refresh) : timeSync(c.fn, c.iters, chunk, refresh));
      if (c.truthy !== undefined && answeredTrue() !== c.truthy) {
        const wrong = { question: `timed batch of ${c.name}`, expected_true: c.truthy, answered_true: answeredTrue() };
        if (!disagreements) throw new Error(`${wrong.question}: ${wrong.answered_true} of ${c.iters} calls answered true, expected ${wrong.expected_true}`);
        disagreements.push(wrong);
      }
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
}

/** How many of `iters` calls over `qs` (taken in turn, `qs[k % qs.length]`) expect an allow. */
export function expectedTrue(qs, iters) {
  let n = 0;
  for (let k = 0; k < iters; k++) if (qs[k % qs.length].expect) n++;
  return n;
}

/** V8's full garbage collection, as a function (V8 exposes it to this process for that). */
export function fullCollection() {
  v8.setFlagsFromString('--expose-gc');
  return runInNewContext('gc');
}

export const fmtNs = (ns) => {
  if (!Number.isFinite(ns)) return 'n/a';
  if (ns < 1e3) return `${ns.toFixed(0)} ns`;
  if (ns < 1e6) return `${(ns / 1e3).toFixed(ns < 1e4 ? 2 : 1)} us`;
  return `${(ns / 1e6).toFixed(ns < 1e7 ? 2 : 1)} ms`;
};
export const fmtX = (x) => (Number.isFinite(x) ? `${x >= 10 ? x.toFixed(0) : x.toFixed(2)}x` : 'n/a');
export const fmtBytes = (b) => (b >= 1 << 20 ? `${(b / (1 << 20)).toFixed(1)} MB` : `${(b / 1024).toFixed(0)} KB`);

export function table(headers, rows) {
  const w = headers.map((h, i) => Math.max(String(h).length, ...rows.map((r) => String(r[i]).length)));
  const line = (r) => r.map((c, i) => String(c).padEnd(w[i])).join('  ');
  return [line(headers), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)].join('\n');
}
