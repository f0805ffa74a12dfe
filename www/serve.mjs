#!/usr/bin/env node
// Serves the playground on 127.0.0.1 with Node's own http module (no dependencies):
//   node www/serve.mjs              port from PORT (default 8080; 0 picks a free one)
//   node www/serve.mjs --no-build   do not refresh www/vendor/ first
// Serves www/ at / and the example bundle at /examples/bundle.json. Before listening it makes
// www/vendor/ current (www/build.mjs), building the wasm module if that is missing or stale.
// Prints "tessera playground: http://127.0.0.1:PORT/" once it listens.

import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureVendor } from './build.mjs';

const WWW = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(WWW, '..');
const HOST = '127.0.0.1';

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
};

// Everything the page needs is on this server; a bundle URL may point elsewhere (connect-src).
const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self' http: https:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

// Extra paths outside www/ (URL path -> file).
const EXTRA = {
  '/examples/bundle.json': join(ROOT, 'examples', 'bundle.json'),
};

function resolvePath(urlPath) {
  if (EXTRA[urlPath]) return EXTRA[urlPath];
  let p = urlPath.endsWith('/') ? `${urlPath}index.html` : urlPath;
  const file = resolve(WWW, `.${p}`);
  if (file !== WWW && !file.startsWith(WWW + sep)) return null;
  // Not the server's own sources.
  if (file === join(WWW, 'serve.mjs') || file === join(WWW, 'build.mjs')) return null;
  return file;
}

function send(res, status, text) {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function createPlaygroundServer() {
  return createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return send(res, 405, 'method not allowed\n');
    }
    let urlPath;
    try {
      urlPath = decodeURIComponent(new URL(req.url, 'http://localhost').pathname);
    } catch {
      return send(res, 400, 'bad request\n');
    }
    if (urlPath.includes('\0')) return send(res, 400, 'bad request\n');
    const file = resolvePath(urlPath);
    let st;
    try {
      st = file && statSync(file);
    } catch {
      st = null;
    }
    if (st && st.isDirectory()) {
      res.writeHead(301, { location: `${urlPath}/` });
      return res.end();
    }
    if (!st || !st.isFile()) return send(res, 404, `not found: ${urlPath}\n`);
    res.writeHead(200, {
      'content-type': MIME[extname(file).toLowerCase()] || 'application/octet-stream',
      'content-length': st.size,
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
      'content-security-policy': CSP,
      'referrer-policy': 'no-referrer',
    });
    if (req.method === 'HEAD') return res.end();
    createReadStream(file).pipe(res);
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (!process.argv.includes('--no-build')) {
    try {
      ensureVendor();
    } catch (e) {
      process.stderr.write(`www/serve: cannot prepare www/vendor/: ${e.message}\n`);
      process.exit(1);
    }
  }
  const port = Number.parseInt(process.env.PORT ?? '8080', 10);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`www/serve: PORT must be 0..65535, not ${JSON.stringify(process.env.PORT)}\n`);
    process.exit(1);
  }
  const server = createPlaygroundServer();
  server.on('error', (e) => {
    process.stderr.write(`www/serve: ${e.message}\n`);
    process.exit(1);
  });
  server.listen(port, HOST, () => {
    process.stdout.write(`tessera playground: http://${HOST}:${server.address().port}/\n`);
  });
  const stop = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
