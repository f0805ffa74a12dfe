// Where tessera's cold start goes, in fresh Node processes (the harness' cold start times the
// whole; this splits it). Each figure is the median over fresh processes of:
//   compile       `new WebAssembly.Module(bytes)` alone (V8 validates every function up front
//                 and compiles lazily, a function when it is first called)
//   require       the nodejs glue: read, compile and instantiate
//   load ...      the first `new Engine(text)` of a process for the cold-start bundle (1,000
//                 accounts, 2,000 bindings); in other processes, the first load of 10 accounts
//                 and 20 bindings with no public keys (what any first load pays), then of the
//                 same with the bundle's three keys (their first preparation)
//   again         a second load of the 1,000-account bundle in the same process
// and, from one more process run with V8's --trace-wasm-compilation-times, how many functions
// (and bytes of their bodies) V8 compiled during require + the first load.
//
//   node bench/cold-breakdown.mjs [PROCESSES]     (default 7; needs scripts/build-wasm.sh)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateBundle } from './gen-bundle.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
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
    const texts = files.map((f) => (f === 'again' ? null : readFileSync(f, 'utf8')));
    let t0 = performance.now();
    const { Engine } = createRequire(import.meta.url)(GLUE);
    out.require = ms(t0);
    out.loads = [];
    let last = null;
    for (const text of texts) {
      last = text ?? last;
      t0 = performance.now();
      new Engine(last);
      out.loads.push(ms(t0));
    }
  }
  console.log(JSON.stringify(out));
  process.exit(0);
}

/**
 * Runs the split in `processes` rounds of fresh processes; returns the medians (ms) and V8's
 * compile counts, as `bench/run.mjs` stores them and `bench/report.mjs` renders them.
 */
export function coldBreakdown(processes) {
  const dir = mkdtempSync(path.join(tmpdir(), 'tessera-cold-'));
  try {
    const big = generateBundle({ accounts: 1000 });
    const small = { ...big, service_accounts: big.service_accounts.slice(0, 10), role_bindings: big.role_bindings.slice(0, 20) };
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
    const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
    const runs = { compile: [], require: [], big: [], again: [], keyless: [], keys: [] };
    for (let k = 0; k < processes; k++) {
      runs.compile.push(JSON.parse(child(['compile'])).compile);
      const b = JSON.parse(child(['load', bundles.big, 'again']));
      runs.require.push(b.require);
      runs.big.push(b.loads[0]);
      runs.again.push(b.loads[1]);
      // The fixed part of a first load (no public keys), then the same small bundle with its
      // three keys: what their first preparation adds, everything else already run once.
      const s = JSON.parse(child(['load', bundles.keyless, bundles.small]));
      runs.keyless.push(s.loads[0]);
      runs.keys.push(s.loads[1]);
    }
    const traced = child(['load', bundles.big], ['--trace-wasm-compilation-times']).split('\n');
    const compiled = (tier) => {
      const lines = traced.filter((l) => l.includes(`using ${tier}`));
      return { functions: lines.length, body_bytes: lines.reduce((sum, l) => sum + Number(/bodysize (\d+)/.exec(l)?.[1] ?? 0), 0) };
    };
    return {
      processes,
      ms: Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, median(v)])),
      liftoff: compiled('Liftoff'),
      turbofan: compiled('TurboFan'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The split as Markdown (a table and two lines). */
export function coldBreakdownMarkdown(b) {
  const { ms: m } = b;
  const rows = [
    ['module compile alone (`new WebAssembly.Module`)', m.compile],
    ['require the glue (read, compile, instantiate)', m.require],
    ['first load: 1,000 accounts, 2,000 bindings', m.big],
    ['first load: 10 accounts, 20 bindings, no public keys (what any first load pays)', m.keyless],
    ['then the same 10 accounts with the three public keys (their first preparation)', m.keys],
    ['second load of the 1,000 accounts, same process', m.again],
  ];
  const kb = (x) => `${(x.body_bytes / 1024).toFixed(0)} KB`;
  return [
    `Median of ${b.processes} fresh processes for each step:`,
    '',
    '| step | ms |',
    '|---|---|',
    ...rows.map(([what, v]) => `| ${what} | ${v.toFixed(2)} |`),
    '',
    `So the first load of the 1,000 accounts is about ${m.keyless.toFixed(1)} ms that any first load pays, ${m.keys.toFixed(1)} ms for the keys and ${(m.big - m.keyless - m.keys).toFixed(1)} ms for the accounts and bindings, against ${m.again.toFixed(1)} ms for the whole second load. ` +
      `V8 compiled during require + first load: ${b.liftoff.functions} functions (${kb(b.liftoff)} of bodies) with its baseline compiler (Liftoff), ${b.turbofan.functions} (${kb(b.turbofan)}) with its optimizing one (TurboFan, in the background).`,
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] !== '--child') {
  console.log(coldBreakdownMarkdown(coldBreakdown(Number(process.argv[2] ?? 7))));
}
