// The module's side of the wasm/native ratio, in a fresh process of its own as the native side
// is (`examples/bench_native.rs`): the loop `Engine::status_repeated` (the module's
// `canStatusForRepeated`), `repeat` decisions per call, the warm questions taken in turn, over
// `rounds` rounds of `iters / repeat` calls (at least 10); prints `{repeat_ns, repeat_allowed}`
// (median nanoseconds per decision, and allowed decisions per round), as the native binary
// prints them. Run by run.mjs as `node bench/ratio-wasm.mjs WORK.json` with the work file it
// gives the native binary.
//
// In the harness's own process the module's loop was timed next to everything else the
// harness holds (a JavaScript heap of hundreds of MB, other modules, the collector's threads):
// in one full run it took 4.1 ns before the first native run and 5.6-6.1 ns in the six pairs
// after, where a fresh process takes 4.0-4.3 ns. Two fresh processes compare the two builds.
import { readFileSync } from 'node:fs';
import { loadTessera } from './lib/contenders.mjs';

const work = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const { Engine } = loadTessera();
const engine = new Engine(readFileSync(work.bundle));
const handles = work.warm.map((q) => [engine.registerToken(q.token), engine.registerQuestion(q.verb, q.resource, q.namespace)]);
const repeat = work.repeat ?? 1000;
const calls = Math.max(10, Math.floor(work.iters / repeat));
const n = handles.length;
const batch = () => {
  let allowed = 0;
  for (let k = 0; k < calls; k++) allowed += engine.canStatusForRepeated(handles[k % n][0], handles[k % n][1], work.now, repeat);
  return allowed;
};
// Warm-up, untimed: the first calls verify each token and run the loop as V8's baseline code,
// until V8 has compiled it with its optimizing compiler.
for (let k = 0; k < 20; k++) batch();
const samples = [];
let allowed = 0;
for (let r = 0; r < work.rounds; r++) {
  const t0 = process.hrtime.bigint();
  allowed = batch();
  samples.push(Number(process.hrtime.bigint() - t0) / (calls * repeat));
}
samples.sort((a, b) => a - b);
console.log(JSON.stringify({ repeat_ns: samples[samples.length >> 1], repeat_allowed: allowed }));
