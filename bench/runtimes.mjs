// The worker/browser path timed in the runtimes it is for: workerd (through Miniflare, the
// Worker bundled as wrangler bundles one) and headless Chromium (a page importing the package's
// browser entry). In each, tessera's `Tessera.canStatusAsync` (WebCrypto checks the signature,
// the engine decides; caches off, so every call verifies) against `jose.jwtVerify` + the same
// lookup in plain JavaScript (bench/runtimes/bench.mjs), on the same tokens and questions; and
// tessera's synchronous `canStatus`, on the module's own signature code.
//
// Batches of questions are timed from outside, A B A B, with an empty batch's time (the
// round trip into the runtime) taken away: workerd's clocks stand still while a request
// computes. Both contenders must give the expected answer to every question, or it stops.
//
//   node bench/runtimes.mjs [--quick]      (bench/run.mjs runs it; needs scripts/build-pkg.sh's
//                                          pkg/dist, tests/pkg/node_modules and Chromium)
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateBundle } from './gen-bundle.mjs';
import { fmtNs, fmtX, median, table } from './lib/stats.mjs';
import { mint, question } from './lib/tokens.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The tools the package's tests use (scripts/setup.sh npm installs them). */
const tool = createRequire(path.join(ROOT, 'tests/pkg/package.json'));
export const RUNTIME_ALGS = ['RS256', 'ES256', 'EdDSA', 'HS256'];

/** What is missing to run this here, or null. */
export function runtimesMissing() {
  if (!existsSync(path.join(ROOT, 'pkg/dist/wasm/tessera_bg.wasm'))) return 'pkg/dist (scripts/build-pkg.sh)';
  for (const name of ['miniflare', 'esbuild', 'playwright-core']) {
    try {
      tool.resolve(name);
    } catch {
      return `tests/pkg/node_modules/${name} (scripts/setup.sh npm)`;
    }
  }
  return chromium() === null ? 'Chromium (scripts/setup.sh browser)' : null;
}

function chromium() {
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    try {
      return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim() || null;
    } catch {
      // not this one
    }
  }
  return null;
}

/** The questions of each algorithm (as bench/ab.mjs: every fifth account, its own namespace). */
function workFor(accounts, now, perAlg) {
  const work = {};
  const expected = {};
  for (const alg of RUNTIME_ALGS) {
    work[alg] = [];
    expected[alg] = [];
    for (let k = 0; k < perAlg; k++) {
      const i = k * 5;
      const { verb, resource, namespace } = question(i, accounts, true);
      work[alg].push({ token: mint(alg, i, accounts, now, 3), verb, resource, namespace });
      // gen-bundle.mjs: account i holds pod-reader in its namespace when i is even.
      expected[alg].push(i % 2 === 0 ? '1' : '0');
    }
  }
  return { work, expected };
}

/** The Worker, bundled as wrangler bundles one; resolves with its script's path. */
async function workerScript(outdir) {
  const esbuild = tool('esbuild');
  let wasm = null;
  await esbuild.build({
    entryPoints: [path.join(ROOT, 'bench/runtimes/worker.mjs')],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    conditions: ['workerd', 'worker', 'browser'],
    alias: { tessera: path.join(ROOT, 'pkg/src/entry/workerd.js') },
    nodePaths: [path.join(ROOT, 'bench/node_modules')],
    outfile: path.join(outdir, 'worker.mjs'),
    logLevel: 'warning',
    plugins: [{
      name: 'wasm-module',
      setup(build) {
        build.onResolve({ filter: /\.wasm$/ }, (args) => {
          wasm = path.join(args.resolveDir, args.path);
          return { path: './tessera_bg.wasm', external: true };
        });
      },
    }],
  });
  if (wasm === null) throw new Error('runtimes: the Worker imports no .wasm (has the workerd entry changed?)');
  copyFileSync(wasm, path.join(outdir, 'tessera_bg.wasm'));
  return path.join(outdir, 'worker.mjs');
}

/** workerd through Miniflare: `{ name, version, call(body, route), close }`. */
async function workerd(dir) {
  const script = await workerScript(dir);
  const { Miniflare } = tool('miniflare');
  const mf = new Miniflare({
    modules: true,
    scriptPath: script,
    modulesRoot: dir,
    modulesRules: [{ type: 'ESModule', include: ['**/*.mjs'] }, { type: 'CompiledWasm', include: ['**/*.wasm'] }],
    compatibilityDate: '2026-04-01',
  });
  await mf.ready;
  const version = JSON.parse(readFileSync(tool.resolve('miniflare/package.json'), 'utf8')).version;
  return {
    name: 'workerd',
    version: `Miniflare ${version}`,
    async call(route, body) {
      const res = await mf.dispatchFetch(`http://bench.local/${route}`, { method: 'POST', body: JSON.stringify(body) });
      const answer = await res.json();
      if (res.status !== 200) throw new Error(`runtimes: workerd /${route}: ${answer.error}`);
      return answer;
    },
    close: () => mf.dispose(),
  };
}

/** Serves the repository's pkg/ and bench/ (the page, the package, jose) on 127.0.0.1. */
async function staticServer() {
  const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };
  const server = createServer((req, res) => {
    const url = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const file = path.join(ROOT, path.normalize(url));
    const inside = ['pkg', 'bench'].some((top) => file.startsWith(path.join(ROOT, top) + path.sep));
    if (!inside || !existsSync(file)) {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}

/** Headless Chromium with the page loaded: `{ name, version, call(route, body), close }`. */
async function browser() {
  const site = await staticServer();
  const { chromium: launcher } = tool('playwright-core');
  const instance = await launcher.launch({
    executablePath: chromium(),
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const page = await instance.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${site.url}/bench/runtimes/page.html`);
  await page.waitForFunction(() => window.benchReady === true, null, { timeout: 30_000 }).catch(() => {
    throw new Error(`runtimes: the Chromium page did not load: ${errors.join('; ') || 'no error reported'}`);
  });
  return {
    name: 'chromium',
    version: `Chromium ${instance.version()}`,
    async call(route, body) {
      if (route === 'setup') return page.evaluate((b) => window.bench.setup(b), body);
      return { answers: await page.evaluate((b) => window.bench.run(b.contender, b.alg, b.from, b.n), body) };
    },
    async close() {
      await instance.close();
      await site.close();
    },
  };
}

/** The columns of a results table, and its rows (`runtimesBench`'s result). */
export const RUNTIMES_COLUMNS = ['runtime', 'alg', 'tessera `canStatusAsync` (WebCrypto)', 'jose + lookup', 'tessera / jose', "tessera `canStatus` (the module's own signature code)", 'round trip of an empty batch'];
export function runtimesRows(result) {
  // A batch can take less than the empty one's median (quick mode's batches are a few
  // questions): no figure then, rather than a negative one.
  const ns = (x) => (x > 0 ? fmtNs(x) : 'n/a (under the round trip)');
  const ratio = (a, b) => (a > 0 && b > 0 ? fmtX(a / b) : 'n/a');
  return Object.entries(result.runtimes).flatMap(([name, { algs }]) => Object.entries(algs).map(([alg, v]) =>
    [name, alg, ns(v.tessera_ns), ns(v.jose_ns), ratio(v.tessera_ns, v.jose_ns), ns(v.sync_ns), `${v.round_trip_ms.toFixed(2)} ms`]));
}

/** The contenders, in the order of a round (turned each round). */
export const RUNTIME_CONTENDERS = ['tessera', 'jose', 'tessera-sync'];

/**
 * Times the contenders in `runtime` for each algorithm: `rounds` rounds of a batch of
 * `batch[alg]` questions each (`syncBatch[alg]` for tessera-sync), interleaved (the order
 * turning each round), beside empty batches. Returns `{ alg: { tessera_ns, jose_ns, sync_ns, round_trip_ms } }` (per question)
 * and throws on any wrong answer.
 */
async function timeRuntime(runtime, { work, expected, rounds, batch, syncBatch }) {
  const out = {};
  for (const alg of RUNTIME_ALGS) {
    const sizeOf = (c) => (c === 'tessera-sync' ? syncBatch[alg] : batch[alg]);
    const perAlg = work[alg].length;
    const timed = Object.fromEntries([...RUNTIME_CONTENDERS, 'empty'].map((c) => [c, []]));
    let from = 0;
    const once = async (contender, size) => {
      const t0 = process.hrtime.bigint();
      const { answers } = await runtime.call('run', { contender, alg, from, n: size });
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      const want = Array.from({ length: size }, (_, k) => expected[alg][(from + k) % perAlg]).join('');
      if (answers !== want) {
        throw Object.assign(new Error(`runtimes: ${runtime.name} ${contender} ${alg} answered ${answers}, expected ${want}`), { wrongAnswer: true });
      }
      return ms;
    };
    for (const c of RUNTIME_CONTENDERS) await once(c, sizeOf(c)); // warm-up: keys imported, code compiled
    for (let r = 0; r < rounds; r++) {
      const shift = r % RUNTIME_CONTENDERS.length;
      const order = [...RUNTIME_CONTENDERS.slice(shift), ...RUNTIME_CONTENDERS.slice(0, shift)];
      for (const c of r % 2 === 0 ? order : order.reverse()) {
        timed.empty.push(await once(c, 0));
        timed[c].push(await once(c, sizeOf(c)));
        from = (from + sizeOf(c)) % perAlg;
      }
    }
    const empty = median(timed.empty);
    const per = (c) => ((median(timed[c]) - empty) / sizeOf(c)) * 1e6;
    out[alg] = { tessera_ns: per('tessera'), jose_ns: per('jose'), sync_ns: per('tessera-sync'), round_trip_ms: empty };
  }
  return out;
}

/**
 * Runs the comparison in workerd and Chromium. `quick`: few rounds and small batches (it
 * runs, and both contenders answer right; the figures mean little). Throws if a contender
 * answers wrong (the error's `wrongAnswer` is set), if WebCrypto does not verify an algorithm
 * in a runtime, or if a runtime does not start. Returns
 * `{ accounts, batch, rounds, runtimes: { workerd: {version, algs}, chromium: {...} } }`,
 * `batch` the questions per batch of each algorithm.
 */
export async function runtimesBench({ quick = false, accounts = 1000, log = () => {} } = {}) {
  const missing = runtimesMissing();
  if (missing) throw new Error(`runtimes: missing ${missing}`);
  const now = Math.floor(Date.now() / 1000);
  const rounds = quick ? 2 : 15;
  // Each batch some 20 to 60 ms, so that the round trip's own variation (about a millisecond
  // of its 1.5 to 5) moves a question's time by about 2%; the synchronous contender's batches
  // are smaller (the module's own ECDSA takes about 1 ms a question).
  const batch = quick
    ? { RS256: 10, ES256: 10, EdDSA: 10, HS256: 10 }
    : { RS256: 1500, ES256: 800, EdDSA: 800, HS256: 3000 };
  const syncBatch = quick
    ? { RS256: 2, ES256: 2, EdDSA: 2, HS256: 10 }
    : { RS256: 100, ES256: 20, EdDSA: 40, HS256: 3000 };
  const { work, expected } = workFor(accounts, now, 200);
  const keysDir = path.join(ROOT, 'examples/keys');
  const jwk = (name) => JSON.parse(readFileSync(path.join(keysDir, `${name}.public.jwk.json`), 'utf8'));
  const setup = {
    bundle: JSON.stringify(generateBundle({ accounts })),
    publicJwks: { RS256: jwk('legacy'), ES256: jwk('cluster'), EdDSA: jwk('pomerium') },
    secret: readFileSync(path.join(keysDir, 'pomerium.shared-secret.txt'), 'utf8').trim(),
    now,
    work,
  };
  const dir = mkdtempSync(path.join(tmpdir(), 'tessera-runtimes-'));
  const result = { accounts, batch, sync_batch: syncBatch, rounds, runtimes: {} };
  try {
    for (const start of [() => workerd(dir), browser]) {
      const runtime = await start();
      try {
        const ready = await runtime.call('setup', setup);
        const without = Object.entries(ready.webCrypto ?? {}).filter(([, ok]) => !ok).map(([alg]) => alg);
        if (without.length > 0) throw new Error(`runtimes: ${runtime.name}: WebCrypto does not verify ${without.join(', ')} here (the *Async path would time the module's own code)`);
        log(`runtimes: ${runtime.name} (${runtime.version}): ${rounds} rounds per algorithm, batches of ${Object.entries(batch).map(([a, n]) => `${n} ${a}`).join(', ')} questions (${Object.values(syncBatch).join(', ')} for tessera-sync)`);
        result.runtimes[runtime.name] = { version: runtime.version, algs: await timeRuntime(runtime, { work, expected, rounds, batch, syncBatch }) };
      } finally {
        await runtime.close();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return result;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = await runtimesBench({ quick: process.argv.includes('--quick'), log: console.log });
  console.log(table(RUNTIMES_COLUMNS, runtimesRows(r)));
}
