// One scenario file, every runtime: the same driver (app/scenario-run.mjs) decides every case of
// examples/scenarios.json in Node ESM, Node CommonJS, headless Chromium, workerd (Miniflare),
// Deno, Bun and Vercel's edge-runtime, each importing the installed package, and every runtime
// must give the very same decisions.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { APP, WORK, DENO, bin, tool, run, staticServer, bundleForWorkerd, miniflare } from './helpers.mjs';

const scenarios = JSON.parse(readFileSync(join(APP, 'data.mjs'), 'utf8').replace(/^\/\/.*\n/, '').replace(/^export default /, '').replace(/;\n$/, '')).scenarios;
const results = new Map();

function accept(result, runtime) {
  assert.equal(result.runtime, runtime);
  assert.deepEqual(result.failures, [], `${runtime}: scenario failures`);
  assert.equal(result.decisions.length, scenarios.length, `${runtime}: every case decided`);
  assert.equal(result.revision, 1);
  if (runtime !== 'edge-runtime') {
    // The *Async methods with WebCrypto: the same decisions, and WebCrypto did the math.
    const a = result.async;
    assert.ok(a, `${runtime}: the async run ran`);
    assert.equal(a.webCryptoOn, true, `${runtime}: WebCrypto is there`);
    assert.deepEqual(a.failures, [], `${runtime}: async scenario failures`);
    assert.deepEqual(a.decisions, result.decisions, `${runtime}: the async methods decide as the synchronous ones`);
    for (const alg of ['RS256', 'ES256']) {
      assert.ok(a.verified[alg] > 0, `${runtime}: WebCrypto verified ${alg} tokens (${JSON.stringify(a.verified)})`);
      assert.equal(a.kept[alg], a.verified[alg], `${runtime}: the engine kept every valid ${alg} verdict (${JSON.stringify(a.kept)})`);
    }
    console.log(`# ${runtime}: WebCrypto verified ${JSON.stringify(a.verified)}, the engine kept ${JSON.stringify(a.kept)}`);
  }
  results.set(runtime, result);
}

async function runJson(cmd, args) {
  const { code, stdout, stderr } = await run(cmd, args, { cwd: APP, env: { ...process.env, NO_COLOR: '1' } });
  assert.equal(code, 0, `${cmd} exited ${code}: ${stderr}`);
  return JSON.parse(stdout.trim().split('\n').pop());
}

test('Node ESM: import from the installed package', async () => {
  accept(await runJson(process.execPath, ['main.mjs']), 'node-esm');
});

test('Node CommonJS: require() of the installed package', async () => {
  accept(await runJson(process.execPath, ['main.cjs']), 'node-cjs');
});

test('Deno: npm package from node_modules (deno condition)', async () => {
  accept(await runJson(DENO, ['run', '--quiet', '--no-prompt', '--allow-read', '--allow-env', 'main.mjs']), 'deno');
});

test('Bun: bun condition', async () => {
  accept(await runJson(bin('bun'), ['main.mjs']), 'bun');
});

test('workerd (Miniflare): bundled like wrangler, the .wasm as a compiled module', async () => {
  const { script, wasmFiles } = await bundleForWorkerd(join(APP, 'worker-scenarios.mjs'), join(WORK, 'workerd-scenarios'));
  assert.equal(wasmFiles.length, 1, 'one .wasm import');
  assert.match(wasmFiles[0], /node_modules\/tessera\/dist\/wasm\/tessera_bg\.wasm$/);
  const mf = miniflare(script);
  try {
    const response = await mf.dispatchFetch('http://localhost/');
    accept(await response.json(), 'workerd');
  } finally {
    await mf.dispose();
  }
});

test("Vercel edge-runtime: bundled with the edge-light condition", async () => {
  const esbuild = tool('esbuild');
  const out = await esbuild.build({
    entryPoints: [join(APP, 'edge-scenarios.mjs')],
    bundle: true,
    format: 'iife',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    conditions: ['edge-light', 'worker', 'browser'],
    loader: { '.wasm': 'binary' },
    supported: { 'from-base64': false },
    write: false,
    logLevel: 'warning',
  });
  const { EdgeRuntime } = tool('edge-runtime');
  const runtime = new EdgeRuntime({ initialCode: out.outputFiles[0].text });
  accept(JSON.parse(runtime.evaluate('globalThis.__tesseraResult')), 'edge-runtime');
});

test('headless Chromium: a page importing the package (import map, no bundler)', async () => {
  const { chromium } = tool('playwright-core');
  const site = await staticServer(APP);
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${site.url}/browser.html`);
    await page.waitForFunction(() => window.__result !== undefined || false, null, { timeout: 30000 }).catch(() => {});
    const result = await page.evaluate(() => window.__result);
    assert.ok(result, `no result from the page: ${errors.join('; ')}`);
    accept(result, 'chromium');
  } finally {
    await browser.close();
    await site.close();
  }
});

test('identical decisions in every runtime', () => {
  const reference = results.get('node-esm');
  assert.ok(reference, 'the Node ESM run must have passed');
  const expected = ['node-esm', 'node-cjs', 'deno', 'bun', 'workerd', 'edge-runtime', 'chromium'];
  assert.deepEqual([...results.keys()].sort(), [...expected].sort(), 'all seven runtimes ran');
  for (const [runtime, result] of results) {
    assert.deepEqual(result.decisions, reference.decisions, `${runtime} decides as Node ESM does`);
  }
  const timings = [...results.values()].map((r) => `${r.runtime} ${r.ms} ms`).join(', ');
  console.log(`# ${scenarios.length} scenarios per runtime: ${timings}`);
});

after(() => {});
