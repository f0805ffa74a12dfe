// Where tessera's cold start goes, in fresh Node processes (the harness' cold start times the
// whole; this splits it). Each figure is the median over fresh processes of:
//   compile       `new WebAssembly.Module(bytes)` alone (V8 validates every function up front
//                 and compiles lazily, a function when it is first called)
//   require       the nodejs glue: read, compile and instantiate
//   load ...      the first `new Engine(bytes)` of a process for the cold-start bundle (1,000
//                 accounts, 2,000 bindings); in other processes, the first load of that bundle
//                 cut to 10 accounts and their 20 bindings with no public keys (its other
//                 sections, and the code any first load runs the first time), then of the cut
//                 bundle with its three keys (their first preparation)
//   again         a second load of the 1,000-account bundle in the same process, and its
//                 tenth (the load's own work once V8 has optimized its code: what the
//                 first load pays beyond it is compiling and code not yet optimized)
//   V8 flags      require and the first load of the 1,000 accounts again, in processes run
//                 with one of V8's compiler flags (not for use, for the why: a library cannot
//                 set them): --liftoff-only (no optimizing compiler working in the background
//                 while the load runs), --single-threaded (no background threads at all),
//                 --wasm-num-compilation-tasks=1 (the optimizing compiler at work in the
//                 background, but one function at a time: on 2 cores, the main thread keeps
//                 one to itself), and --no-wasm-lazy-compilation (every function compiled when
//                 the module is, so the load compiles nothing)
// and, from one more process run with V8's --trace-wasm-compilation-times, how many functions
// (and bytes of their bodies) V8's baseline compiler compiled during require and that first
// load (the optimizing compiler's background work is not counted: the process may end first).
//
//   node bench/cold-breakdown.mjs [PROCESSES]     (default 7; needs scripts/build-wasm.sh)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateBundle } from './gen-bundle.mjs';
import { median } from './lib/stats.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// As bench/lib/contenders.mjs finds it (not imported here: the child processes stay bare).
const GLUE = process.env.TESSERA_WASM_JS ?? path.join(ROOT, 'target/wasm/node/tessera.js');
const WASM = path.join(path.dirname(GLUE), 'tessera_bg.wasm');
const ms = (t0) => performance.now() - t0;

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === '--child') {
  // One fresh process: `--child compile` or `--child load BUNDLE [AGAIN]`.
  const what = process.argv[3];
  const out = {};
  if (what === 'compile') {
    const bytes = readFileSync(WASM);
    const t0 = performance.now();
    new WebAssembly.Module(bytes);
    out.compile = ms(t0);
  } else {
    // `--child load A [B ...]`: the first load of A, then of B (its own first time only for
    // what A did not already run), ... in this one process; `again` repeats the last one.
    const files = process.argv.slice(4);
    const bundles = files.map((f) => (f === 'again' ? null : readFileSync(f)));
    let t0 = performance.now();
    const { Engine } = createRequire(import.meta.url)(GLUE);
    out.require = ms(t0);
    out.loads = [];
    let last = null;
    let engine = null;
    for (const bundle of bundles) {
      last = bundle ?? last;
      // The engine before freed first, as a new bundle replaces the one held.
      engine?.free();
      t0 = performance.now();
      engine = new Engine(last);
      out.loads.push(ms(t0));
    }
  }
  console.log(JSON.stringify(out));
  process.exit(0);
}

/**
 * Runs the split in `processes` rounds of fresh processes; returns the medians (ms) and V8's
 * baseline compile count, as `bench/run.mjs` stores them and `bench/report.mjs` renders them.
 */
export function coldBreakdown(processes) {
  const dir = mkdtempSync(path.join(tmpdir(), 'tessera-cold-'));
  try {
    const big = generateBundle({ accounts: 1000 });
    const kept = big.service_accounts.slice(0, 10);
    const names = new Set(kept.map((a) => `${a.namespace}/${a.name}`));
    const small = {
      ...big,
      service_accounts: kept,
      role_bindings: big.role_bindings.filter((b) => b.subjects.some((x) => names.has(`${x.namespace ?? b.namespace}/${x.name}`))),
    };
    const keyless = { ...small, issuers: small.issuers.map((i) => ({ ...i, jwks: { keys: [] } })) };
    const file = (name, doc) => {
      const p = path.join(dir, `${name}.json`);
      writeFileSync(p, JSON.stringify(doc));
      return p;
    };
    const bundles = { big: file('big', big), small: file('small', small), keyless: file('keyless', keyless) };
    const child = (args, flags = []) => {
      const r = spawnSync(process.execPath, [...flags, fileURLToPath(import.meta.url), '--child', ...args], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`cold-breakdown child ${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };
    const runs = { compile: [], require: [], big: [], again: [], tenth: [], keyless: [], keys: [] };
    const FLAGS = ['--liftoff-only', '--single-threaded', '--wasm-num-compilation-tasks=1', '--no-wasm-lazy-compilation'];
    const flagged = Object.fromEntries(FLAGS.map((f) => [f, { require: [], load: [] }]));
    for (let k = 0; k < processes; k++) {
      runs.compile.push(JSON.parse(child(['compile'])).compile);
      const b = JSON.parse(child(['load', bundles.big, ...Array(9).fill('again')]));
      runs.require.push(b.require);
      runs.big.push(b.loads[0]);
      runs.again.push(b.loads[1]);
      runs.tenth.push(b.loads[9]);
      // The cut bundle without public keys (its other sections, and the code a first load
      // runs), then with its three keys: what their first preparation adds.
      const s = JSON.parse(child(['load', bundles.keyless, bundles.small]));
      runs.keyless.push(s.loads[0]);
      runs.keys.push(s.loads[1]);
      for (const flag of FLAGS) {
        const f = JSON.parse(child(['load', bundles.big], [flag]));
        flagged[flag].require.push(f.require);
        flagged[flag].load.push(f.loads[0]);
      }
    }
    const traced = child(['load', bundles.big], ['--trace-wasm-compilation-times']).split('\n');
    const lines = traced.filter((l) => l.includes('using Liftoff'));
    const liftoff = lines.length === 0 ? null
      : { functions: lines.length, body_bytes: lines.reduce((sum, l) => sum + Number(/bodysize (\d+)/.exec(l)?.[1] ?? 0), 0) };
    return {
      processes,
      ms: Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, median(v)])),
      bindings_kept: small.role_bindings.length,
      liftoff,
      v8_flags: Object.fromEntries(FLAGS.map((f) => [f, { require: median(flagged[f].require), load: median(flagged[f].load) }])),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The split as Markdown (a table and a paragraph). */
export function coldBreakdownMarkdown(b) {
  const { ms: m } = b;
  const rows = [
    ['module compile alone (`new WebAssembly.Module`)', m.compile],
    ['require the glue (read, compile, instantiate)', m.require],
    ['first load: 1,000 accounts, 2,000 bindings', m.big],
    [`first load: the same bundle cut to 10 accounts and their ${b.bindings_kept} bindings, no public keys`, m.keyless],
    ['then the cut bundle with its three public keys (their first preparation)', m.keys],
    ['second load of the 1,000 accounts, same process', m.again],
    ...(m.tenth === undefined ? [] : [['tenth load of the 1,000 accounts, same process', m.tenth]]),
  ];
  const compiled = b.liftoff
    ? `V8's baseline compiler (Liftoff) compiled ${b.liftoff.functions} functions (${(b.liftoff.body_bytes / 1024).toFixed(0)} KB of bodies) during require and the first load of the 1,000 accounts.`
    : "V8's compile trace had no Liftoff lines (its format changed?): no count.";
  return [
    `Median of ${b.processes} fresh processes for each step:`,
    '',
    '| step | ms |',
    '|---|---|',
    ...rows.map(([what, v]) => `| ${what} | ${v.toFixed(2)} |`),
    '',
    `So the first load of the 1,000 accounts is about ${m.keyless.toFixed(1)} ms for the bundle's other sections and the code a first load runs for the first time, ${m.keys.toFixed(1)} ms for the keys and ${(m.big - m.keyless - m.keys).toFixed(1)} ms for the other 990 accounts and their bindings, against ${m.again.toFixed(1)} ms for the whole second load${m.tenth === undefined ? '' : ` and ${m.tenth.toFixed(1)} ms for the tenth`}. ${compiled}`,
    ...(b.v8_flags ? [
      '',
      'The same require and first load of the 1,000 accounts in processes run with one of V8\'s compiler flags (the why, not a setting: a library cannot set them):',
      '',
      '| V8 flag | require (ms) | first load (ms) |',
      '|---|---|---|',
      `| none (as above) | ${m.require.toFixed(2)} | ${m.big.toFixed(2)} |`,
      ...Object.entries(b.v8_flags).map(([flag, v]) => `| \`${flag}\` | ${v.require.toFixed(2)} | ${v.load.toFixed(2)} |`),
    ] : []),
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] !== '--child') {
  console.log(coldBreakdownMarkdown(coldBreakdown(Number(process.argv[2] ?? 7))));
}
