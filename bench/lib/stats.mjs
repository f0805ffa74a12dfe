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

/** Mean ns per call of a sync fn over `iters` calls. */
export function timeSync(fn, iters) {
  let sink = 0;
  const t0 = nowNs();
  for (let k = 0; k < iters; k++) if (fn(k)) sink++;
  const ns = sinceNs(t0) / iters;
  globalThis.__benchSink = (globalThis.__benchSink ?? 0) + sink;
  return ns;
}
/** Mean ns per call of an async fn over `iters` sequential awaited calls. */
export async function timeAsync(fn, iters) {
  let sink = 0;
  const t0 = nowNs();
  for (let k = 0; k < iters; k++) if (await fn(k)) sink++;
  const ns = sinceNs(t0) / iters;
  globalThis.__benchSink = (globalThis.__benchSink ?? 0) + sink;
  return ns;
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
 */
export async function interleave(contenders, rounds, { settle } = {}) {
  const samples = Object.fromEntries(contenders.map((c) => [c.name, []]));
  const n = contenders.length;
  for (let r = 0; r < rounds; r++) {
    const shift = Math.floor(r / 2) % n;
    for (let k = 0; k < n; k++) {
      const at = r % 2 === 0 ? k : n - 1 - k;
      const c = contenders[(at + shift) % n];
      settle?.();
      samples[c.name].push(c.async ? await timeAsync(c.fn, c.iters) : timeSync(c.fn, c.iters));
    }
  }
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
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
