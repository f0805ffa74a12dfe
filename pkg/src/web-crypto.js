// WebCrypto (`crypto.subtle`) does the signature math of public-key tokens in workers and
// browsers, where it is faster than the module's own signature code (in workerd and Chromium 4
// to 15 times, by algorithm; in Node's, 4 to 6 times for ES256, 2 to 3 for EdDSA, about even
// for RS256: docs/performance.md), but only asynchronous. So the check is made ahead of the
// decision: the engine says which keys it chose for the token, the signed bytes and the
// signature (`Engine#signatureCheck`, or packed by `Engine#signatureCheckPacked` and read by
// `unpackCheck`); this module verifies them with WebCrypto and holds the verdicts while the
// synchronous decision runs, answering the engine's host-verifier call from them for exactly
// those bytes. It does the math only: choosing the key and the algorithm, and everything else,
// stays in the engine. Each algorithm family is first checked against a known signature (and a
// tampered one); a family that fails, or a key WebCrypto cannot import, is left to the
// module's own signature code.
import { FAMILY, PSS_SALT, SELF_TEST, SELF_TEST_MESSAGE } from './signature-vectors.js';

const HASH = {
  RS256: 'SHA-256', RS384: 'SHA-384', RS512: 'SHA-512',
  PS256: 'SHA-256', PS384: 'SHA-384', PS512: 'SHA-512',
  ES256: 'SHA-256', ES384: 'SHA-384',
};

/** WebCrypto's import and verify parameters for a JWS algorithm and its JWK. */
function params(alg, jwk) {
  if (alg.startsWith('RS')) return { name: 'RSASSA-PKCS1-v1_5', hash: HASH[alg] };
  if (alg.startsWith('PS')) return { name: 'RSA-PSS', hash: HASH[alg], saltLength: PSS_SALT[alg] };
  if (alg.startsWith('ES')) return { name: 'ECDSA', hash: HASH[alg], namedCurve: jwk.crv };
  if (alg === 'EdDSA') return { name: 'Ed25519' };
  return null;
}

function base64url(text) {
  const b = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const out = new Uint8Array(b.length);
  for (let i = 0; i < b.length; i++) out[i] = b.charCodeAt(i);
  return out;
}

function sameBytes(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The check `Engine#signatureCheckPacked` (or `signatureCheckHeadersPacked`) packed, as
 * `Engine#signatureCheck` gives it: `{id, alg, keys, message, signature}`, or `undefined` for
 * no check. The packed form is `[bytes, keys, alg]`, `bytes` holding the check's number and
 * the signed bytes' length (4 bytes each, little-endian), then the signed bytes and the
 * signature; `message` and `signature` view it.
 */
export function unpackCheck(packed) {
  if (!Array.isArray(packed)) return undefined;
  const [bytes, keys, alg] = packed;
  const header = new DataView(bytes.buffer, bytes.byteOffset, 8);
  const split = 8 + header.getUint32(4, true);
  return { id: header.getUint32(0, true), alg, keys, message: bytes.subarray(8, split), signature: bytes.subarray(split) };
}

/**
 * Gives WebCrypto's `verdicts` for `check` back to the wasm `engine` that made the check (that
 * one only: check numbers are unique across engines, so another would refuse them): how many
 * keys verified the signature and how many refused it (the engine applies its own rule of which
 * keys suffice). The engine's decision on that token at the same `now` then repeats none of the
 * token's own checks. Returns whether the engine kept them (not when another check was made
 * since, or nothing conclusive was answered: the decision then verifies as usual, the verdicts
 * still held by `with`).
 */
export function giveVerdicts(engine, check, verdicts) {
  if (!check) return false;
  let verified = 0;
  const answered = Array.isArray(verdicts) ? verdicts : [];
  for (const v of answered) verified += v.valid ? 1 : 0;
  // Always told, even of no answer: the engine then keeps no verdict for that check.
  return engine.signatureVerdict(check.id, verified, answered.length - verified);
}

/** The verdicts of `keys` (`valid[i]` that of `keys[i]`), those WebCrypto answered. */
function verdicts(alg, keys, message, signature, valid) {
  const out = [];
  for (let i = 0; i < keys.length; i++) {
    if (typeof valid[i] === 'boolean') out.push({ alg, jwk: keys[i], message, signature, valid: valid[i] });
  }
  return out;
}

/** Signature checks with WebCrypto, made ahead of the engine's synchronous decision. */
export class WebCryptoSignatures {
  #subtle;
  #keys = new Map(); // `${alg} ${jwk}` -> Promise<CryptoKey | null>
  #ready = new Map(); // jwk -> Map(alg -> CryptoKey | null), once imported
  #families = new Map(); // family -> Promise<boolean>
  #familyKnown = new Map(); // family -> boolean, once the self-test has answered
  #maxKeys;
  #held = [];

  /** `subtle` defaults to the runtime's `crypto.subtle`; at most `maxKeys` imported keys are kept. */
  constructor({ subtle = globalThis.crypto?.subtle, maxKeys = 256 } = {}) {
    if (!subtle || typeof subtle.verify !== 'function') throw new TypeError('tessera: WebCrypto (crypto.subtle) is not available here');
    this.#subtle = subtle;
    this.#maxKeys = maxKeys;
  }

  /**
   * Verifies a check from `Engine#signatureCheck` (`{alg, keys, message, signature}`) with each
   * of its keys. Resolves with the verdicts (one per key WebCrypto could answer for); never
   * rejects: what it cannot verify is left out, and the engine's own signature code decides it.
   */
  verify(check) {
    const { alg, keys, message, signature } = check ?? {};
    const family = typeof alg === 'string' ? FAMILY[alg] : undefined;
    if (!family || !Array.isArray(keys)) return Promise.resolve([]);
    // The usual case, one key of a family that passed its self-test and a key imported
    // already: straight to WebCrypto (each async step on the way costs turns of the
    // microtask queue, which count beside a verify of some tens of microseconds).
    const key = keys.length === 1 && this.#familyKnown.get(family) === true ? this.#ready.get(keys[0])?.get(alg) : undefined;
    if (key) {
      try {
        return this.#subtle.verify(params(alg, key.algorithm), key, signature, message)
          .then((valid) => verdicts(alg, keys, message, signature, [valid]), () => []);
      } catch {
        return Promise.resolve([]);
      }
    }
    return this.#verifyAll(alg, family, keys, message, signature);
  }

  async #verifyAll(alg, family, keys, message, signature) {
    if (!(this.#familyKnown.get(family) ?? (await this.#familyWorks(family)))) return [];
    const valid = await Promise.all(keys.map((jwk) => this.#check(alg, jwk, message, signature)));
    return verdicts(alg, keys, message, signature, valid);
  }

  /** Runs `fn` with `verdicts` held for the host verifier, and returns what it returns. */
  with(verdicts, fn) {
    if (!verdicts || verdicts.length === 0) return fn();
    const before = this.#held;
    this.#held = verdicts;
    try {
      return fn();
    } finally {
      this.#held = before;
    }
  }

  /**
   * The held verdict for exactly this algorithm, key, message and signature, or `undefined`
   * (the host verifier then asks the next verifier, or leaves it to the module).
   */
  verdict(alg, jwk, message, signature) {
    for (const v of this.#held) {
      if (v.alg === alg && v.jwk === jwk && sameBytes(v.message, message) && sameBytes(v.signature, signature)) return v.valid;
    }
    return undefined;
  }

  async #check(alg, jwk, message, signature) {
    try {
      const imported = this.#ready.get(jwk)?.get(alg);
      const key = imported !== undefined ? imported : await this.#key(alg, jwk);
      if (!key) return undefined;
      const p = params(alg, key.algorithm);
      return await this.#subtle.verify(p, key, signature, message);
    } catch {
      return undefined;
    }
  }

  #key(alg, jwk) {
    const id = `${alg} ${jwk}`;
    let key = this.#keys.get(id);
    if (!key) {
      if (this.#keys.size >= this.#maxKeys) {
        this.#keys.clear();
        this.#ready.clear();
      }
      key = (async () => {
        let imported = null;
        try {
          const parsed = JSON.parse(jwk);
          const { kty, n, e, crv, x, y } = parsed;
          imported = await this.#subtle.importKey('jwk', { kty, n, e, crv, x, y }, params(alg, parsed), false, ['verify']);
        } catch {
          imported = null;
        }
        let byAlg = this.#ready.get(jwk);
        if (!byAlg) this.#ready.set(jwk, (byAlg = new Map()));
        byAlg.set(alg, imported);
        return imported;
      })();
      this.#keys.set(id, key);
    }
    return key;
  }

  #familyWorks(family) {
    let works = this.#families.get(family);
    if (!works) {
      works = (async () => {
        let ok = false;
        try {
          const v = SELF_TEST[family];
          const jwk = JSON.stringify(v.jwk);
          const message = new TextEncoder().encode(SELF_TEST_MESSAGE);
          const tampered = new TextEncoder().encode(`${SELF_TEST_MESSAGE}!`);
          const signature = base64url(v.sig);
          ok = (await this.#check(family, jwk, message, signature)) === true
            && (await this.#check(family, jwk, tampered, signature)) === false;
        } catch {
          ok = false;
        }
        this.#familyKnown.set(family, ok);
        return ok;
      })();
      this.#families.set(family, works);
    }
    return works;
  }
}
