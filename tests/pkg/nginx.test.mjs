// The ext_authz service (`tessera/node`) behind a real proxy: Debian's nginx with auth_request
// in front of a test upstream, all on 127.0.0.1 with free ports, nginx started as a child
// process (not a daemon) with a config in a temp dir and killed at the end. Allowed requests
// reach the upstream carrying the identity headers and not the credential; denied and malformed
// ones never reach it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Tessera } from 'tessera';
import { createExtAuthzServer } from 'tessera/node';
import { WORK, bundleText, signature, trustedKeys, mint, listen } from './helpers.mjs';

const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p));
// Missing nginx is a failure (scripts/setup.sh installs it); TESSERA_PKG_NO_NGINX=1 skips.
const skip = process.env.TESSERA_PKG_NO_NGINX === '1' ? 'TESSERA_PKG_NO_NGINX=1' : false;

let upstream;
let authz;
let nginx;
let port;
const reached = [];

function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port: p } = s.address();
      s.close(() => resolve(p));
    });
  });
}

function get(path, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: headers[':method'] ?? 'GET', headers: Object.fromEntries(Object.entries(headers).filter(([k]) => !k.startsWith(':'))) }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function waitForPort(p, ms = 5000) {
  const end = Date.now() + ms;
  for (;;) {
    try {
      await new Promise((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port: p, path: '/__ping', method: 'GET' }, (res) => { res.resume(); resolve(); });
        req.on('error', reject);
        req.end();
      });
      return;
    } catch (error) {
      if (Date.now() > end) throw error;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

before(async () => {
  if (skip) return;
  assert.ok(NGINX, 'nginx is not installed: run scripts/setup.sh (as root it installs Debian\'s nginx)');
  upstream = await listen((req, res) => {
    if (req.url !== '/__ping') reached.push({ url: req.url, method: req.method, headers: req.headers });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ reached: req.url }));
  });
  const tessera = new Tessera({ trustedKeys });
  tessera.load(bundleText, signature);
  // The forwarding headers the config below sets (overwriting any a client sent).
  authz = createExtAuthzServer(tessera, {
    pathPrefix: '/check',
    trustedHeaders: ['x-original-uri', 'x-original-method', 'x-forwarded-host', 'x-forwarded-proto'],
  });
  await new Promise((r) => authz.listen(0, '127.0.0.1', r));
  port = await freePort();
  const dir = join(WORK, 'nginx');
  for (const d of ['', 'tmp']) mkdirSync(join(dir, d), { recursive: true });
  writeFileSync(join(dir, 'nginx.conf'), `
daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log stderr warn;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  server {
    listen 127.0.0.1:${port};
    server_name _;
    location = /__ping { return 204; }
    location / {
      auth_request /_tessera;
      auth_request_set $tessera_user $upstream_http_x_tessera_user;
      auth_request_set $tessera_groups $upstream_http_x_tessera_groups;
      auth_request_set $tessera_namespace $upstream_http_x_tessera_namespace;
      proxy_set_header X-Tessera-User $tessera_user;
      proxy_set_header X-Tessera-Groups $tessera_groups;
      proxy_set_header X-Tessera-Namespace $tessera_namespace;
      proxy_set_header Authorization "";
      proxy_set_header X-Pomerium-Authorization "";
      proxy_set_header Host $host;
      proxy_pass http://127.0.0.1:${upstream.port};
    }
    location = /_tessera {
      internal;
      proxy_pass http://127.0.0.1:${authz.address().port}/check;
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
      proxy_set_header X-Original-URI $request_uri;
      proxy_set_header X-Original-Method $request_method;
      proxy_set_header X-Forwarded-Host $host;
      proxy_set_header X-Forwarded-Proto https;
    }
  }
}
`);
  nginx = spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', 'stderr'], { stdio: ['ignore', 'inherit', 'pipe'] });
  nginx.stderr.on('data', (d) => process.stderr.write(`nginx: ${d}`));
  await waitForPort(port);
});

after(async () => {
  if (nginx && nginx.exitCode === null) {
    nginx.kill('SIGTERM');
    await new Promise((r) => nginx.once('exit', r));
  }
  await upstream?.close();
  await new Promise((r) => (authz ? authz.close(r) : r()));
});

test('nginx auth_request: allowed requests reach the upstream with identity headers, without the credential', { skip }, async () => {
  const now = new Date().toISOString();
  const deployBot = await mint({ issuer: 'pomerium-eddsa', account: 'engineering/deploy-bot' }, now);
  const robot = await mint({ issuer: 'legacy', account: 'top-secret/robot' }, now);
  reached.length = 0;
  let res = await get('/docs?x=1', { host: 'wiki.example.com', authorization: `Bearer ${deployBot}`, 'x-tessera-user': 'forged' });
  assert.equal(res.status, 200, res.body);
  assert.equal(reached.length, 1);
  assert.equal(reached[0].url, '/docs?x=1');
  assert.equal(reached[0].headers['x-tessera-user'], 'system:serviceaccount:engineering:deploy-bot');
  assert.equal(reached[0].headers['x-tessera-namespace'], 'engineering');
  assert.match(reached[0].headers['x-tessera-groups'], /system:serviceaccounts:engineering/);
  assert.equal(reached[0].headers.authorization, undefined);

  res = await get('/reports', { host: 'secret.example.com', 'x-pomerium-authorization': robot });
  assert.equal(res.status, 200);
  assert.equal(reached[1].headers['x-tessera-user'], 'system:serviceaccount:top-secret:robot');
  assert.equal(reached[1].headers['x-pomerium-authorization'], undefined);

  res = await get('/', { host: 'status.example.com' });
  assert.equal(res.status, 200, 'a public route');
  assert.equal(reached[2].headers['x-tessera-user'], undefined, 'no identity on a public route');
});

test('nginx auth_request: denied and malformed requests never reach the upstream', { skip }, async () => {
  const now = new Date().toISOString();
  const robot = await mint({ issuer: 'legacy', account: 'top-secret/robot' }, now);
  const deployBot = await mint({ issuer: 'pomerium-eddsa', account: 'engineering/deploy-bot' }, now);
  reached.length = 0;
  const cases = [
    ['no token on a protected route', '/builds', { host: 'ci.example.com' }, 401],
    ['a valid identity that is not allowed', '/builds', { host: 'ci.example.com', authorization: `Bearer ${robot}` }, 403],
    ['a method the policy denies', '/engineering/services/api', { host: 'api.example.com', authorization: `Bearer ${deployBot}`, ':method': 'DELETE' }, 403],
    ['a garbage token', '/', { host: 'wiki.example.com', authorization: 'Bearer not-a-jwt' }, 401],
    ['an empty bearer', '/', { host: 'wiki.example.com', authorization: 'Bearer' }, 401],
    ['an unsigned token', '/', { host: 'wiki.example.com', authorization: `Bearer ${deployBot.split('.').slice(0, 2).join('.')}.` }, 401],
    ['a tampered token', '/', { host: 'wiki.example.com', authorization: `Bearer ${deployBot.slice(0, -4)}AAAA` }, 401],
    // nginx turns an auth answer other than 2xx/401/403 into 500: still never the upstream.
    ['a host with no route', '/', { host: 'unknown.example.com', authorization: `Bearer ${deployBot}` }, 500],
    // Forwarding headers the client sends and nginx passes on are never believed.
    ['a client-sent x-forwarded-method', '/hooks/github', { host: 'ci.example.com', ':method': 'DELETE', 'x-forwarded-method': 'POST' }, 403],
    ['a client-sent x-forwarded-uri', '/builds/secret', { host: 'ci.example.com', ':method': 'POST', 'x-forwarded-uri': '/hooks/github' }, 401],
  ];
  for (const [name, path, headers, status] of cases) {
    const res = await get(path, headers);
    assert.equal(res.status, status, `${name}: ${res.status} ${res.body}`);
  }
  assert.deepEqual(reached, [], 'the upstream saw nothing');
});
