// The example Worker (examples/worker) end to end in workerd through Miniflare, bundled as
// wrangler bundles it, with real tokens: the bundle fetched and verified, 401/403 answered by
// the Worker, allowed requests forwarded with identity headers and without the credential, the
// decision log posted, and a new isolate starting from the Cache API copy when the bundle
// server is down.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { APP, ROOT, WORK, bundleText, signature, trustedKeys, mint, bundleForWorkerd, miniflare } from './helpers.mjs';

const BUNDLE_URL = 'https://policy.example.net/bundle.json';

function outbound(state) {
  return async (request) => {
    const url = new URL(request.url);
    state.seen.push(`${request.method} ${url.href}`);
    if (url.href === BUNDLE_URL || url.href === `${BUNDLE_URL}.sig`) {
      if (state.bundleDown) return new Response('down', { status: 503 });
      return new Response(url.href.endsWith('.sig') ? signature : bundleText, { headers: { etag: '"r1"' } });
    }
    if (url.host === 'logs.example.net') {
      state.logs.push(...(await request.json()));
      return new Response(null, { status: 204 });
    }
    if (url.host === 'origin.example.net') {
      const headers = Object.fromEntries(request.headers);
      state.upstream.push({ url: url.href, headers });
      return Response.json({ reached: url.pathname, headers });
    }
    return new Response('no such host in this test', { status: 502 });
  };
}

async function workerFor(state, script) {
  return miniflare(script, {
    bindings: {
      BUNDLE_URL,
      UPSTREAM_URL: 'https://origin.example.net',
      TRUSTED_KEYS: JSON.stringify(trustedKeys),
      LOG_URL: 'https://logs.example.net/decisions',
    },
    outboundService: outbound(state),
    cachePersist: join(WORK, 'worker-cache'),
  });
}

test('example Worker in workerd: deny, allow with identity headers, decision log, Cache API start', async () => {
  cpSync(join(ROOT, 'examples', 'worker', 'src'), join(APP, 'example-worker'), { recursive: true });
  const { script } = await bundleForWorkerd(join(APP, 'example-worker', 'index.js'), join(WORK, 'example-worker-out'));
  const state = { seen: [], upstream: [], logs: [], bundleDown: false };
  const now = new Date().toISOString();
  const deployBot = await mint({ issuer: 'pomerium-eddsa', account: 'engineering/deploy-bot' }, now);
  const robot = await mint({ issuer: 'legacy', account: 'top-secret/robot' }, now);
  const mf = await workerFor(state, script);
  try {
    let res = await mf.dispatchFetch('https://ci.example.com/builds');
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="tessera"');
    assert.ok((await res.json()).reasons.includes('user-unauthenticated'));

    res = await mf.dispatchFetch('https://ci.example.com/builds', { headers: { authorization: `Bearer ${robot}` } });
    assert.equal(res.status, 403);
    assert.match(res.headers.get('www-authenticate'), /insufficient_scope/);
    await res.arrayBuffer();

    res = await mf.dispatchFetch('https://wiki.example.com/docs?page=2', {
      headers: { authorization: `Bearer Pomerium-${deployBot}`, 'x-tessera-user': 'someone-else' },
    });
    assert.equal(res.status, 200);
    const seen = await res.json();
    assert.equal(seen.reached, '/docs');
    assert.equal(seen.headers['x-tessera-user'], 'system:serviceaccount:engineering:deploy-bot');
    assert.equal(seen.headers['x-tessera-namespace'], 'engineering');
    assert.match(seen.headers['x-tessera-groups'], /system:serviceaccounts:engineering/);
    assert.equal(seen.headers.authorization, undefined, 'credential not forwarded');

    res = await mf.dispatchFetch('https://secret.example.com/reports', { headers: { 'x-pomerium-authorization': robot } });
    assert.equal(res.status, 200);
    assert.equal((await res.json()).headers['x-tessera-user'], 'system:serviceaccount:top-secret:robot');

    assert.equal(state.upstream.length, 2, 'only allowed requests reach the origin');
    assert.equal(state.seen.filter((s) => s === `GET ${BUNDLE_URL}`).length, 1, 'the bundle fetched once');

    // The decision log was posted (after the responses, through waitUntil).
    for (let i = 0; i < 50 && state.logs.length < 4; i += 1) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(state.logs.map((r) => r.status), [401, 403, 200, 200]);
    assert.ok(!JSON.stringify(state.logs).includes(deployBot.split('.')[2]), 'no token in the log');
  } finally {
    await mf.dispose();
  }

  // A new isolate while the bundle server is down starts from the Cache API copy.
  state.bundleDown = true;
  const fresh = await workerFor(state, script);
  try {
    const res = await fresh.dispatchFetch('https://wiki.example.com/', { headers: { authorization: `Bearer ${deployBot}` } });
    assert.equal(res.status, 200, await res.clone().text());
    await res.arrayBuffer();
  } finally {
    await fresh.dispose();
  }
});
