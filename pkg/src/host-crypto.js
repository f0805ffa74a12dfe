// Node's (and Deno's and Bun's) synchronous `node:crypto` does the signature math of public-key
// tokens for the wasm engine: 11 to 12.5 times faster than the module's own signature code for
// ECDSA, 3 to 6 times for RSA and EdDSA (docs/performance.md). It does the math only: the engine has already chosen the key (by issuer, `kid`, and the
// key's own algorithm, DESIGN 1.3) and hands over the key as a JWK, the algorithm, the signed
// bytes and the signature. Each algorithm family is first checked against a known signature (and
// a tampered one): a runtime whose `node:crypto` answers wrongly or throws leaves that family to
// the module's own signature code. Anything but `true`/`false` from here also means "the module
// decides".
import { constants, createPublicKey, verify } from 'node:crypto';
import { FAMILY, PSS_SALT, SELF_TEST, SELF_TEST_MESSAGE } from './signature-vectors.js';

const HASH = {
  RS256: 'sha256', RS384: 'sha384', RS512: 'sha512',
  PS256: 'sha256', PS384: 'sha384', PS512: 'sha512',
  ES256: 'sha256', ES384: 'sha384', EdDSA: null,
};

function options(alg, key) {
  const o = { key };
  if (alg.startsWith('ES')) o.dsaEncoding = 'ieee-p1363';
  if (alg.startsWith('PS')) {
    o.padding = constants.RSA_PKCS1_PSS_PADDING;
    o.saltLength = PSS_SALT[alg];
  }
  return o;
}

/**
 * A verifier for `setSignatureVerifier`: `(alg, jwkJson, message, signature) => boolean |
 * undefined`. Keys are imported once (at most `maxKeys` kept).
 */
export function nodeSignatureVerifier({ maxKeys = 256 } = {}) {
  const keys = new Map();
  const healthy = new Map();
  const keyOf = (jwk) => {
    let key = keys.get(jwk);
    if (!key) {
      if (keys.size >= maxKeys) keys.clear();
      key = createPublicKey({ key: JSON.parse(jwk), format: 'jwk' });
      keys.set(jwk, key);
    }
    return key;
  };
  const check = (alg, jwk, message, signature) => verify(HASH[alg], message, options(alg, keyOf(jwk)), signature);
  const familyWorks = (family) => {
    if (!healthy.has(family)) {
      let ok = false;
      try {
        const v = SELF_TEST[family];
        const jwk = JSON.stringify(v.jwk);
        const message = new TextEncoder().encode(SELF_TEST_MESSAGE);
        const signature = Buffer.from(v.sig, 'base64url');
        const tampered = new TextEncoder().encode(`${SELF_TEST_MESSAGE}!`);
        ok = check(family, jwk, message, signature) === true && check(family, jwk, tampered, signature) === false;
      } catch {
        ok = false;
      }
      healthy.set(family, ok);
    }
    return healthy.get(family);
  };
  return (alg, jwk, message, signature) => {
    const family = FAMILY[alg];
    if (!family || !familyWorks(family)) return undefined;
    try {
      const valid = check(alg, jwk, message, signature);
      return typeof valid === 'boolean' ? valid : undefined;
    } catch {
      return undefined;
    }
  };
}
