// The package's WebCrypto signature checks (pkg/src/web-crypto.js) on checks the wasm engine
// packs, with Node's crypto.subtle and with a subtle that fails in the ways a runtime's can:
// every verdict is WebCrypto's own, and nothing rejects or throws.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { mintToken } from '../../examples/mint-token.mjs';
import { WebCryptoSignatures, unpackCheck } from '../../pkg/src/web-crypto.js';

const require = createRequire(import.meta.url);
const { Engine } = require('../../target/wasm/node/tessera.js');

const bundleText = readFileSync(new URL('../../examples/bundle.json', import.meta.url), 'utf8');
const bundle = JSON.parse(bundleText);
const NOW = Math.floor(Date.parse('2026-11-22T10:00:00Z') / 1000);
const at = new Date(NOW * 1000).toISOString();

const TOKENS = {
  RS256: mintToken({ issuer: 'legacy', account: 'top-secret/robot' }, at, bundle),
  ES256: mintToken({ issuer: 'cluster', account: 'ci/runner' }, at, bundle),
  EdDSA: mintToken({ issuer: 'pomerium-eddsa', account: 'engineering/deploy-bot' }, at, bundle),
};

/** The token with one bit of its signature flipped. */
function tampered(token) {
  const [h, p, s] = token.split('.');
  const sig = Buffer.from(s, 'base64url');
  sig[sig.length - 1] ^= 1;
  return `${h}.${p}.${sig.toString('base64url')}`;
}

function checksOf(tokens) {
  const engine = new Engine(bundleText);
  try {
    return tokens.map((token) => unpackCheck(engine.signatureCheckPacked(token, NOW)));
  } finally {
    engine.free();
  }
}

test('genuine signatures verify and tampered ones do not, the first time (self-test, key import) and after', async () => {
  const web = new WebCryptoSignatures();
  for (const [alg, token] of Object.entries(TOKENS)) {
    for (let round = 0; round < 2; round++) {
      const [good, bad] = checksOf([token, tampered(token)]);
      const [g] = await web.verify(good);
      assert.equal(g?.valid, true, `${alg}, round ${round}`);
      assert.equal(g.alg, alg);
      assert.equal(g.jwk, good.keys[0]);
      const [b] = await web.verify(bad);
      assert.equal(b?.valid, false, `${alg}, round ${round}: tampered`);
      // Held, the verdict answers for exactly its bytes.
      assert.equal(web.with([g], () => web.verdict(alg, good.keys[0], good.message, good.signature)), true);
      assert.equal(web.with([g], () => web.verdict(alg, good.keys[0], bad.message, bad.signature)), undefined);
    }
  }
});

/** Node's subtle, but its verify fails as `failure` says once `broken` is set. */
function failingSubtle(failure) {
  const subtle = globalThis.crypto.subtle;
  const state = { broken: false };
  return {
    state,
    importKey: (...args) => subtle.importKey(...args),
    verify(...args) {
      if (!state.broken) return subtle.verify(...args);
      if (failure === 'throws') throw new Error('verify threw');
      if (failure === 'rejects') return Promise.reject(new Error('verify rejected'));
      return Promise.resolve('yes'); // not a boolean
    },
  };
}

test('a verify that throws, rejects or answers nonsense gives no verdict (the module decides), never a rejection', async () => {
  for (const failure of ['throws', 'rejects', 'nonsense']) {
    const subtle = failingSubtle(failure);
    const web = new WebCryptoSignatures({ subtle });
    for (const [alg, token] of Object.entries(TOKENS)) {
      const [first, second] = checksOf([token, token]);
      assert.equal((await web.verify(first))[0]?.valid, true, `${failure} ${alg}: before`);
      subtle.state.broken = true;
      assert.deepEqual(await web.verify(second), [], `${failure} ${alg}: key imported, family known`);
      subtle.state.broken = false;
    }
  }
});

test('a family whose self-test fails is never asked', async () => {
  let asked = 0;
  const subtle = {
    importKey: (...args) => globalThis.crypto.subtle.importKey(...args),
    verify: async () => {
      asked++;
      return true; // the tampered self-test signature too: the family fails its self-test
    },
  };
  const web = new WebCryptoSignatures({ subtle });
  for (const [alg, token] of Object.entries(TOKENS)) {
    for (let round = 0; round < 2; round++) {
      const [check] = checksOf([token]);
      assert.deepEqual(await web.verify(check), [], `${alg}, round ${round}`);
    }
  }
  assert.equal(asked, 6, 'the self-tests only: a good and a tampered signature for each of the 3 families');
});

test('no check, or one of an unknown algorithm, gives no verdict', async () => {
  const web = new WebCryptoSignatures();
  assert.deepEqual(await web.verify(undefined), []);
  const [check] = checksOf([TOKENS.RS256]);
  assert.deepEqual(await web.verify({ ...check, alg: 'none' }), []);
  assert.deepEqual(await web.verify({ ...check, keys: 'not a list' }), []);
});
