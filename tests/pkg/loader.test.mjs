// The bundle loader against a local HTTP server on 127.0.0.1: signature pinned in the options
// and checked in the wasm, ETag / If-None-Match / 304, failure injection (HTTP errors, refused
// connections, bad signatures, rollback, expiry), the expiry grace, single-flight, the refresh
// interval with jitter, and the storage hook.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tessera, TesseraError, memoryStorage, authorizeRequest } from 'tessera';
import { bundleText, signature, trustedKeys, signBundle, variant, listen, mint, NOW } from './helpers.mjs';

// A bundle server whose answers the test changes: {bundle, sig, status, delay}.
async function bundleServer() {
  const state = { bundle: bundleText, sig: signature, etag: '"r1"', status: 200, delay: 0, log: [] };
  const srv = await listen(async (req, res) => {
    state.log.push(`${req.method} ${req.url} ${req.headers['if-none-match'] ?? '-'}`);
    if (state.delay) await new Promise((r) => setTimeout(r, state.delay));
    if (state.status !== 200) {
      res.writeHead(state.status);
      res.end('broken');
    } else if (req.url === '/bundle.json') {
      if (req.headers['if-none-match'] === state.etag) {
        res.writeHead(304, { etag: state.etag });
        res.end();
      } else {
        res.writeHead(200, { 'content-type': 'application/json', etag: state.etag });
        res.end(state.bundle);
      }
    } else if (req.url === '/bundle.json.sig') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`${state.sig}\n`);
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  return { ...srv, state, bundleUrl: `${srv.url}/bundle.json`, gets: () => state.log.filter((l) => l.startsWith('GET /bundle.json ')).length };
}

/** A first isolate's load of `srv`'s bundle into a new storage: the storage and the copy stored. */
async function storedCopy(srv) {
  const storage = memoryStorage();
  await tesseraFor(srv, { storage }).t.ready();
  return { storage, stored: await storage.get(srv.bundleUrl) };
}

function tesseraFor(srv, extra = {}) {
  const events = { updates: [], errors: [] };
  const t = new Tessera({
    bundleUrl: srv.bundleUrl,
    trustedKeys,
    refreshInterval: 60,
    onUpdate: (u) => events.updates.push(u),
    onError: (e) => events.errors.push(e),
    ...extra,
  });
  return { t, events };
}

test('loader: fetches, verifies against the pinned key, then revalidates with If-None-Match (304)', async () => {
  const srv = await bundleServer();
  try {
    const { t, events } = tesseraFor(srv);
    assert.equal(await t.ready(), 1);
    assert.equal(t.etag, '"r1"');
    assert.deepEqual(events.updates.map((u) => [u.revision, u.source]), [[1, 'network']]);
    const r = await t.loader.refresh();
    assert.deepEqual(r, { changed: false, revision: 1, status: 304 });
    assert.ok(srv.state.log.includes('GET /bundle.json "r1"'), srv.state.log.join('\n'));
    assert.equal(events.updates.length, 1, 'a 304 is not an update');
    assert.equal(srv.state.log.filter((l) => l.startsWith('GET /bundle.json.sig')).length, 1, 'no signature fetch on 304');
  } finally {
    await srv.close();
  }
});

test('loader: a newer revision replaces the bundle; a rollback, a bad signature and an HTTP error keep it', async () => {
  const srv = await bundleServer();
  try {
    const { t, events } = tesseraFor(srv);
    await t.ready();
    const two = variant({ revision: 2 });
    Object.assign(srv.state, { bundle: two, sig: await signBundle(two), etag: '"r2"' });
    assert.deepEqual(await t.loader.refresh(), { changed: true, revision: 2, status: 200 });
    assert.equal(t.revision, 2);

    // Rollback: revision 1, properly signed.
    Object.assign(srv.state, { bundle: bundleText, sig: signature, etag: '"r1-again"' });
    let r = await t.loader.refresh();
    assert.equal(r.changed, false);
    assert.equal(r.error.kind, 'bundle');
    assert.ok(r.error instanceof TesseraError, 'the one error class of the package');
    assert.match(r.error.message, /rollback/);
    assert.equal(t.revision, 2);

    // Bad signature: revision 3 signed over other bytes.
    const three = variant({ revision: 3 });
    Object.assign(srv.state, { bundle: three, sig: await signBundle(variant({ revision: 4 })), etag: '"r3"' });
    r = await t.loader.refresh();
    assert.match(r.error.message, /signature/);
    assert.equal(t.revision, 2);

    // The server fails: keep serving revision 2.
    srv.state.status = 500;
    r = await t.loader.refresh();
    assert.equal(r.error.kind, 'fetch');
    assert.match(r.error.message, /HTTP 500/);
    assert.equal(t.revision, 2);
    assert.equal(t.loader.lastError, r.error);
    assert.deepEqual(events.errors.map((e) => e.kind), ['bundle', 'bundle', 'fetch']);

    // Decisions go on against revision 2.
    const d = t.checkHttp('GET', 'https://status.example.com/', undefined, undefined, NOW);
    assert.equal(d.allowed, true);
    assert.equal(d.revision, 2);
  } finally {
    await srv.close();
  }
});

test('loader: a refused connection keeps the last good bundle; with none held, decisions fail closed (503)', async () => {
  const srv = await bundleServer();
  const { t } = tesseraFor(srv);
  await t.ready();
  await srv.close();
  const r = await t.loader.refresh();
  assert.equal(r.error.kind, 'fetch');
  assert.equal(t.revision, 1);

  const cold = new Tessera({ bundleUrl: srv.bundleUrl, trustedKeys });
  await assert.rejects(cold.ready(), (e) => e instanceof TesseraError && e.kind === 'fetch');
  const d = cold.checkHttp('GET', 'https://status.example.com/', undefined, undefined, NOW);
  assert.deepEqual([d.allowed, d.status, d.reasons], [false, 503, ['bundle-missing']]);
  const review = cold.verify('x.y.z', NOW);
  assert.equal(review.authenticated, false);
});

test('loader: a bundle past its expires_at is refused', async () => {
  const srv = await bundleServer();
  try {
    const old = variant({ expires_at: '2026-01-01T00:00:00Z', issued_at: '2025-12-01T00:00:00Z' });
    Object.assign(srv.state, { bundle: old, sig: await signBundle(old) });
    const { t } = tesseraFor(srv, { clock: () => NOW });
    await assert.rejects(t.ready(), (e) => e.kind === 'bundle' && /expired/.test(e.message));
    assert.equal(t.loaded, false);
  } finally {
    await srv.close();
  }
});

test('expiry: the held bundle fails closed at expires_at, or after the optional grace', async () => {
  const expires = NOW + 3600;
  const text = variant({ expires_at: new Date(expires * 1000).toISOString().replace('.000Z', 'Z') });
  const sig = await signBundle(text);
  const strict = new Tessera({ trustedKeys });
  strict.load(text, sig, { now: NOW });
  const graced = new Tessera({ trustedKeys, expiryGrace: 600 });
  graced.load(text, sig, { now: NOW });
  const token = await mint({ issuer: 'pomerium-eddsa', account: 'engineering/deploy-bot', exp_in: 7200 }, '2026-11-22T10:00:00Z');
  const ask = (t, at) => t.checkHttp('GET', 'https://wiki.example.com/', `Bearer ${token}`, undefined, at);
  assert.equal(ask(strict, expires - 1).status, 200);
  assert.deepEqual([ask(strict, expires).status, ask(strict, expires).reasons[0]], [503, 'bundle-expired']);
  assert.equal(ask(graced, expires + 599).status, 200, 'within the grace');
  assert.equal(ask(graced, expires + 600).status, 503, 'after the grace');
  assert.equal(graced.verify(token, expires + 600).authenticated, false);
});

test('loader: one fetch in flight at a time (single-flight)', async () => {
  const srv = await bundleServer();
  try {
    const { t } = tesseraFor(srv);
    srv.state.delay = 150;
    const all = await Promise.all([t.ready(), t.ready(), t.loader.refresh(), t.loader.refresh()]);
    assert.equal(srv.gets(), 1, srv.state.log.join('\n'));
    assert.deepEqual(all.slice(0, 2), [1, 1]);
    const a = t.loader.refresh();
    const b = t.loader.refresh();
    assert.equal(a, b, 'the same promise');
    await a;
    assert.equal(srv.gets(), 2);
  } finally {
    await srv.close();
  }
});

test('loader: a server that stalls in the body, and a fetch that ignores the abort, hold no refresh past the timeout', async () => {
  let calls = 0;
  // Headers at once, a body that never ends, and no notice taken of the abort signal.
  const stalling = async () => {
    calls += 1;
    return { ok: true, status: 200, headers: new Headers(), text: () => new Promise(() => {}) };
  };
  const errors = [];
  const t = new Tessera({ bundleUrl: 'https://bundles.invalid/bundle.json', trustedKeys, fetch: stalling, fetchTimeout: 0.05, onError: (e) => errors.push(e) });
  t.load(bundleText, signature, { now: NOW });
  const first = await t.loader.refresh();
  assert.equal(first.error?.kind, 'fetch');
  assert.match(first.error.message, /no complete answer within 0\.05 s/);
  // The next refresh is a new fetch, not the stalled one.
  const second = await t.loader.refresh();
  assert.equal(second.error?.kind, 'fetch');
  assert.equal(calls, 2);
  assert.equal(t.revision, 1, 'the held bundle stays');
  t.close?.();
});

test('loader: with no bundle held, a failed first load is retried after 1, 2, 4 ... s, not at every request', async () => {
  let calls = 0;
  let now = 1_795_341_600;
  const down = () => {
    calls += 1;
    return Promise.reject(new Error('connection refused'));
  };
  const t = new Tessera({ bundleUrl: 'https://bundles.invalid/bundle.json', trustedKeys, fetch: down, clock: () => now });
  await assert.rejects(t.ready(), /connection refused/);
  assert.equal(calls, 1);
  // Within the second that follows: refused at once, no fetch.
  await assert.rejects(t.ready(), /connection refused/);
  assert.equal(calls, 1);
  assert.equal(t.can('x', 'get', 'pods', 'ns').status, 503);
  now += 1;
  await assert.rejects(t.ready(), /connection refused/);
  assert.equal(calls, 2, 'tried again after 1 s');
  now += 1;
  await assert.rejects(t.ready());
  assert.equal(calls, 2, 'the next wait is 2 s');
  now += 1;
  await assert.rejects(t.ready());
  assert.equal(calls, 3);
});

test('loader: refresh interval with jitter; maybeRefresh only when due', async () => {
  const srv = await bundleServer();
  try {
    let clock = NOW;
    const { t } = tesseraFor(srv, { clock: () => clock, refreshInterval: 100, jitter: 0.2 });
    await t.ready();
    const next = t.loader.nextRefreshAt - clock;
    assert.ok(next >= 80 && next <= 120, `next refresh in ${next}s`);
    assert.equal(t.loader.maybeRefresh(), null);
    clock += 121;
    const p = t.loader.maybeRefresh();
    assert.ok(p instanceof Promise);
    assert.equal((await p).status, 304);
    const delays = new Set();
    for (let i = 0; i < 5; i += 1) {
      await t.loader.refresh();
      delays.add(Math.round((t.loader.nextRefreshAt - clock) * 1000));
    }
    assert.ok(delays.size > 1, 'jittered');
  } finally {
    await srv.close();
  }
});

test('loader: the timer refreshes by itself until stop()', async () => {
  const srv = await bundleServer();
  try {
    const { t } = tesseraFor(srv, { refreshInterval: 0.05, jitter: 0 });
    await t.ready();
    t.loader.start();
    await new Promise((r) => setTimeout(r, 400));
    t.loader.stop();
    const n = srv.gets();
    assert.ok(n >= 3, `${n} fetches`);
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(srv.gets(), n, 'no fetch after stop()');
  } finally {
    await srv.close();
  }
});

test('loader: the storage hook lets a new isolate start from the cached copy, re-verified', async () => {
  const srv = await bundleServer();
  try {
    const { storage, stored } = await storedCopy(srv);
    assert.equal(stored.bundle, bundleText);
    assert.equal(stored.etag, '"r1"');

    // A new isolate with the network down starts from storage.
    const offline = new Tessera({ bundleUrl: srv.bundleUrl, trustedKeys, storage, fetch: () => Promise.reject(new Error('offline')) });
    const updates = [];
    offline.loader && (await offline.ready());
    assert.equal(offline.revision, 1);
    assert.equal(srv.gets(), 1, 'no network fetch');

    // A tampered stored copy is refused and the network used instead.
    await storage.set(srv.bundleUrl, { ...stored, bundle: variant({ revision: 9 }), fetchedAt: NOW });
    const errors = [];
    const third = new Tessera({ bundleUrl: srv.bundleUrl, trustedKeys, storage, onError: (e) => errors.push(e), onUpdate: (u) => updates.push(u) });
    assert.equal(await third.ready(), 1);
    assert.match(errors[0].message, /stored bundle was refused/);
    assert.deepEqual(updates.map((u) => u.source), ['network']);
    assert.equal(srv.gets(), 2);

    // A bundle loaded from bytes (with the server's ETag) is stored as its text on a 304, and
    // a new isolate starts from that text.
    const bytesStorage = memoryStorage();
    const fromBytes = tesseraFor(srv, { storage: bytesStorage });
    fromBytes.t.load(new TextEncoder().encode(bundleText), signature, { now: NOW, etag: '"r1"' });
    assert.equal((await fromBytes.t.loader.refresh()).status, 304);
    assert.equal((await bytesStorage.get(srv.bundleUrl)).bundle, bundleText);
    const restored = new Tessera({ bundleUrl: srv.bundleUrl, trustedKeys, storage: bytesStorage, fetch: () => Promise.reject(new Error('offline')) });
    assert.equal(await restored.ready(), 1);
  } finally {
    await srv.close();
  }
});

test('the pinned keys are required; an unsigned bundle only with allowUnsigned', () => {
  assert.throws(() => new Tessera({}), /trustedKeys/);
  const t = new Tessera({ allowUnsigned: true });
  assert.equal(t.load(bundleText), 1);
  const signed = new Tessera({ trustedKeys });
  assert.throws(() => signed.load(bundleText), (e) => e.kind === 'bundle');
  assert.throws(() => signed.load(bundleText, signature.replace(/.$/, 'A')), (e) => e.kind === 'bundle');
});

test('loader: a start from a stale stored copy hands its refresh to waitUntil; a fresh one is due when its own interval ends', async () => {
  const srv = await bundleServer();
  try {
    const { storage, stored } = await storedCopy(srv);
    assert.equal(srv.gets(), 1);

    // Fetched two intervals ago: the new isolate serves it and refreshes in the background, a
    // refresh a worker would cancel with the response unless it is handed to waitUntil.
    await storage.set(srv.bundleUrl, { ...stored, fetchedAt: Date.now() / 1000 - 120 });
    const stale = tesseraFor(srv, { storage });
    const handed = [];
    const r = await authorizeRequest(stale.t, new Request('https://status.example.com/'), { now: NOW, waitUntil: (p) => handed.push(p) });
    assert.equal(r.allowed, true);
    assert.ok(handed.length >= 1, 'the background refresh is handed to waitUntil');
    await Promise.all(handed);
    assert.equal(srv.gets(), 2, 'refreshed from the network');

    // Fetched 50 s ago, with a 60 s interval: due 10 s after the start, not 60.
    let clock = 1_000_000;
    await storage.set(srv.bundleUrl, { ...stored, fetchedAt: clock - 50 });
    const fresh = tesseraFor(srv, { storage, clock: () => clock });
    await fresh.t.ready();
    assert.equal(fresh.t.loader.maybeRefresh(), null, 'not due yet');
    clock += 11;
    const due = fresh.t.loader.maybeRefresh();
    assert.ok(due, "due when the copy's own interval ends");
    await due;
  } finally {
    await srv.close();
  }
});

test("loader: past the held bundle's expiry, refreshes are at most a second apart", async () => {
  const srv = await bundleServer();
  try {
    const expires = NOW + 3600;
    srv.state.bundle = variant({ expires_at: new Date(expires * 1000).toISOString().replace('.000Z', 'Z') });
    srv.state.sig = await signBundle(srv.state.bundle);
    let clock = NOW;
    const { t } = tesseraFor(srv, { clock: () => clock, refreshInterval: 600, expiryGrace: 3600 });
    await t.ready();
    assert.equal(srv.gets(), 1);
    clock = expires + 10; // expired (within the grace); the server still has that bundle (304)
    await t.loader.maybeRefresh();
    assert.equal(srv.gets(), 2, 'refreshed at once past expiry');
    for (let i = 0; i < 5; i += 1) assert.equal(t.loader.maybeRefresh(), null, 'not again within the second');
    clock += 1;
    await t.loader.maybeRefresh();
    assert.equal(srv.gets(), 3, 'again a second later');
  } finally {
    await srv.close();
  }
});
