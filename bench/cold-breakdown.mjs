// Where tessera's cold start goes, in fresh Node processes (the harness' cold start times the
// whole; this splits it). Each figure is the median over fresh processes of:
//   compile       `new WebAssembly.Module(bytes)` alone (V8 validates every function up front
//                 and compiles lazily, a function when it is first called)
//   require       the nodejs glue: read, compile and instantiate
//   load ...      the first `new Engine(text)` of a process, for three bundles: the cold-start
//                 bundle (1,000 accounts, 2,000 bindings), the same with 10 accounts and 20
//                 bindings (what any first load pays), and that again with no public keys
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
  const [, , , what, bundle, again] = process.argv;
  const out = {};
  if (what === 'compile') {
    const bytes = readFileSync(WASM);
    const t0 = performance.now();
    new WebAssembly.Module(bytes);
    out.compile = ms(t0);
  } else {
    const text = readFileSync(bundle, 'utf8');
    let t0 = performance.now();
    const { Engine } = createRequire(import.meta.url)(GLUE);
    out.require = ms(t0);
    t0 = performance.now();
    new Engine(text);
    out.load = ms(t0);
    if (again) {
      t0 = performance.now();
      new Engine(text);
      out.again = ms(t0);
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
    const runs = { compile: [], require: [], big: [], again: [], small: [], keyless: [] };
    for (let k = 0; k < processes; k++) {
      runs.compile.push(JSON.parse(child(['compile'])).compile);
      const b = JSON.parse(child(['load', bundles.big, 'again']));
      runs.require.push(b.require);
      runs.big.push(b.load);
      runs.again.push(b.again);
      runs.small.push(JSON.parse(child(['load', bundles.small])).load);
      runs.keyless.push(JSON.parse(child(['load', bundles.keyless])).load);
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
    ['first load: 10 accounts, 20 bindings', m.small],
    ['first load: 10 accounts, 20 bindings, no public keys', m.keyless],
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
    `Derived: the first preparation of the three public keys ${(m.small - m.keyless).toFixed(2)} ms; the first load's 990 accounts and 1,980 bindings more ${(m.big - m.small).toFixed(2)} ms, against ${m.again.toFixed(2)} ms for the whole second load. ` +
      `V8 compiled during require + first load: ${b.liftoff.functions} functions (${kb(b.liftoff)} of bodies) with its baseline compiler (Liftoff), ${b.turbofan.functions} (${kb(b.turbofan)}) with its optimizing one (TurboFan, in the background).`,
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] !== '--child') {
  console.log(coldBreakdownMarkdown(coldBreakdown(Number(process.argv[2] ?? 7))));
}
