// Shared by the package tests (they run from the scratch project made by run.mjs).
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync, copyFileSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { spawn } from 'node:child_process';
import { join, dirname, extname } from 'node:path';
import { pathToFileURL } from 'node:url';

export const ROOT = process.env.TESSERA_ROOT;
export const APP = process.env.TESSERA_APP;
export const TOOLS = process.env.TESSERA_TOOLS;
export const WORK = process.env.TESSERA_WORK;
if (!ROOT || !APP || !TOOLS) throw new Error('run these tests through tests/pkg/run.mjs');

/** A tool from tests/pkg/node_modules (not from the scratch project). */
export const tool = createRequire(join(TOOLS, 'package.json'));
export const bin = (name) => join(TOOLS, 'node_modules', '.bin', name);
// Deno's own platform package (the `deno` wrapper package names optional packages for every
// platform, which `npm ci` insists on finding in the registry; this one is all we run).
export const DENO = join(TOOLS, 'node_modules', '@deno', 'linux-x64-glibc', 'deno');

export const read = (p) => readFileSync(join(ROOT, p), 'utf8');
export const bundleText = read('examples/bundle.json');
export const bundle = JSON.parse(bundleText);
export const signature = read('examples/bundle.json.sig').trim();
export const trustedKeys = { keys: [JSON.parse(read('examples/keys/bundle-signing.public.jwk.json'))] };
export const NOW = Math.floor(Date.parse('2026-11-22T10:00:00Z') / 1000);

/** Mints a token with the demo keys (examples/mint-token.mjs), at `now` (RFC 3339). */
export async function mint(spec, now = new Date().toISOString()) {
  const { mintToken } = await import(pathToFileURL(join(ROOT, 'examples', 'mint-token.mjs')));
  return mintToken(spec, now, bundle);
}

/** Signs a bundle text with the demo bundle key (detached JWS, docs/bundle.md). */
export async function signBundle(text) {
  const { createPrivateKey, sign } = await import('node:crypto');
  const jwk = JSON.parse(read('examples/keys/bundle-signing.private.jwk.json'));
  const header = Buffer.from(JSON.stringify({ alg: 'ES256', kid: jwk.kid })).toString('base64url');
  const input = `${header}.${Buffer.from(text).toString('base64url')}`;
  const sig = sign('sha256', Buffer.from(input), { key: createPrivateKey({ key: jwk, format: 'jwk' }), dsaEncoding: 'ieee-p1363' });
  return `${header}..${sig.toString('base64url')}`;
}

/** The example bundle with another revision / expiry, as text. */
export function variant({ revision, expires_at, issued_at } = {}) {
  let text = bundleText;
  if (revision !== undefined) text = text.replace('"revision": 1,', `"revision": ${revision},`);
  if (expires_at !== undefined) text = text.replace('"expires_at": "2027-11-01T00:00:00Z"', `"expires_at": "${expires_at}"`);
  if (issued_at !== undefined) text = text.replace('"issued_at": "2026-11-01T00:00:00Z"', `"issued_at": "${issued_at}"`);
  if (text === bundleText && (revision ?? 1) !== 1) throw new Error('variant: nothing replaced');
  return text;
}

/** Starts an HTTP server on 127.0.0.1 (free port); resolves with {server, port, url}. */
export async function listen(handler) {
  const server = createServer(handler);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return { server, port, url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(r)) };
}

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };
/** Serves the scratch project's files (for the browser page). */
export function staticServer(dir) {
  return listen((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    try {
      const body = readFileSync(join(dir, path));
      res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end();
    }
  });
}

/**
 * Bundles an entry the way wrangler does for workerd (conditions workerd, worker, browser; the
 * .wasm left as a module of its own beside the output). Returns the output directory.
 */
export async function bundleForWorkerd(entry, outdir) {
  const esbuild = tool('esbuild');
  mkdirSync(outdir, { recursive: true });
  const wasmFiles = [];
  await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    conditions: ['workerd', 'worker', 'browser'],
    outfile: join(outdir, 'worker.mjs'),
    logLevel: 'warning',
    plugins: [{
      name: 'wasm-module',
      setup(build) {
        build.onResolve({ filter: /\.wasm$/ }, (args) => {
          const path = join(args.resolveDir, args.path);
          wasmFiles.push(path);
          return { path: './tessera_bg.wasm', external: true };
        });
      },
    }],
  });
  for (const f of wasmFiles) copyFileSync(f, join(outdir, 'tessera_bg.wasm'));
  return { dir: outdir, script: join(outdir, 'worker.mjs'), wasmFiles };
}

/** A Miniflare for a bundled worker (ES modules, the .wasm as CompiledWasm). */
export function miniflare(script, options = {}) {
  const { Miniflare } = tool('miniflare');
  return new Miniflare({
    modules: true,
    scriptPath: script,
    modulesRoot: dirname(script),
    modulesRules: [
      { type: 'ESModule', include: ['**/*.js', '**/*.mjs'] },
      { type: 'CompiledWasm', include: ['**/*.wasm'] },
    ],
    compatibilityDate: '2026-04-01',
    ...options,
  });
}

/** Runs a command; resolves with {code, stdout, stderr}. */
export function run(cmd, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export function writeFile(path, text) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}
