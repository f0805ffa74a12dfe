// One bundle size, in this fresh process (so memory is this size's alone):
//   node bench/scale.mjs BUNDLE.json WORK.json
// Loads the bundle `loads` times (median), then measures warm decisions through the hot string
// calls over the work's cached tokens, and reports wasm memory and rss. Prints JSON.
import { readFileSync } from 'node:fs';
import * as c from './lib/contenders.mjs';
import { median, nowNs, sinceNs, timeSync } from './lib/stats.mjs';

// `--decisions-only`: one load, then the decisions (the adjacent pairs of run.mjs's latency
// ratio).
const [bundlePath, workPath, only] = process.argv.slice(2);
const work = JSON.parse(readFileSync(workPath, 'utf8'));
if (only === '--decisions-only') work.loads = 1;
const { Engine } = c.loadTessera();
const bytes = readFileSync(bundlePath); // as a user loads a file: its bytes, no text round trip
const memBefore = c.tesseraWasmMemoryBytes();
const rssBefore = process.memoryUsage().rss;
const loads = [];
let engine;
for (let k = 0; k < work.loads; k++) {
  engine?.free();
  const t = nowNs();
  engine = new Engine(bytes);
  loads.push(sinceNs(t) / 1e6);
}
const memLoaded = c.tesseraWasmMemoryBytes();
const rssLoaded = process.memoryUsage().rss;
const qs = work.warm;
const expect = qs.map((q) => q.expect);
const got = qs.map((q) => c.tesseraCan(engine, q.token, q, work.now));
const http = work.http;
const httpGot = http.map((h) => engine.checkHttp('GET', h.url, `Bearer ${h.token}`, undefined, work.now).allowed === true);
const n = qs.length;
const rounds = [];
const httpRounds = [];
for (let r = 0; r < work.rounds; r++) {
  rounds.push(timeSync((i) => c.tesseraCan(engine, qs[i % n].token, qs[i % n], work.now), work.iters));
  if (http.length) {
    const m = http.length;
    httpRounds.push(timeSync((i) => engine.checkHttp('GET', http[i % m].url, http[i % m].auth, undefined, work.now).allowed, work.iters));
  }
}
console.log(JSON.stringify({
  bundle_bytes: bytes.length,
  load_ms: median(loads),
  loads_ms: loads,
  wasm_memory_before: memBefore,
  wasm_memory_loaded: memLoaded,
  wasm_memory_after: c.tesseraWasmMemoryBytes(),
  rss_before: rssBefore,
  rss_loaded: rssLoaded,
  rss_after: process.memoryUsage().rss,
  decision_ns: median(rounds),
  http_ns: median(httpRounds),
  tokens: n,
  agree: got.every((g, i) => g === expect[i]) && httpGot.every((g, i) => g === http[i].expect),
}));
