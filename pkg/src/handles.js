// The fastest RBAC call for a token and a question seen again: both are registered in the wasm
// module once and then passed as numbers, instead of being copied into the module and the
// question rebuilt on every call. Plumbing only: behind the handles the engine verifies and
// decides exactly as it does for the strings.
//
// Tokens are found again by a fingerprint, and then compared whole (`===`): a request brings its
// token as a new string, and a Map keyed by the string itself would hash all of it on every call
// (V8 keeps a string's hash in the string, so only a string seen before is cheap), 0.8 us for a
// 590-character token here, where the fingerprint reads a few characters and the comparison is
// one native pass. Two tokens with the same fingerprint only make the second a miss (it is
// registered and takes the slot); a token is never answered for another, since its whole text
// is compared before its handle is used.

/** The module keeps this many registrations of each kind (its `SLOTS`). */
const MODULE_SLOTS = 1024;

/**
 * A small integer from a token's length and characters spread over its end (a JWS ends with its
 * signature, whose characters vary the most from token to token). Never a whole-string hash.
 */
function fingerprint(token) {
  const n = token.length;
  let h = n;
  for (let i = 1; i <= 64 && i <= n; i += 9) h = (Math.imul(h, 31) + token.charCodeAt(n - i)) | 0;
  return h;
}

/** Handles of the tokens and questions registered in one wasm `Engine`. */
export class TokenHandles {
  #engine;
  #tokens = new Map();
  #tokenRegistrations = 0;
  /** verb -> resource -> namespace -> name -> handle */
  #questions = new Map();
  #questionRegistrations = 0;
  #max;

  /**
   * `max` at most the module's 1,024 slots. The maps are emptied after `max` registrations of
   * their kind, so every handle they hold is among the module's last 1,024: live, unless
   * something else registers in the same Engine (then the call below registers again).
   */
  constructor(engine, max = MODULE_SLOTS) {
    this.#engine = engine;
    this.#max = Math.min(max, MODULE_SLOTS);
  }

  /** The status of `can`: 200 allowed, 401 no valid identity, 403 not allowed, 503 no usable bundle. */
  canStatus(token, verb, resource, namespace, name, now) {
    const e = this.#engine;
    const n = name ?? '';
    const key = fingerprint(token);
    const known = this.#tokens.get(key);
    const t = known !== undefined && known.token === token ? known.handle : this.#registerToken(token, key);
    const q = this.#questions.get(verb)?.get(resource)?.get(namespace)?.get(n) ?? this.#registerQuestion(verb, resource, namespace, n);
    const status = e.canStatusFor(t, q, now);
    if (status !== 0) return status;
    // A handle the module no longer holds: register both again, or ask with the strings.
    const again = e.canStatusFor(this.#registerToken(token, key), this.#registerQuestion(verb, resource, namespace, n), now);
    return again !== 0 ? again : e.canStatus(token, verb, resource, namespace, name, now);
  }

  #registerToken(token, key) {
    if (this.#tokenRegistrations >= this.#max) {
      this.#tokens.clear();
      this.#tokenRegistrations = 0;
    }
    this.#tokenRegistrations++;
    const handle = this.#engine.registerToken(token);
    this.#tokens.set(key, { token, handle });
    return handle;
  }

  #registerQuestion(verb, resource, namespace, name) {
    if (this.#questionRegistrations >= this.#max) {
      this.#questions.clear();
      this.#questionRegistrations = 0;
    }
    this.#questionRegistrations++;
    const handle = this.#engine.registerQuestion(verb, resource, namespace, name);
    const level = (map, key) => {
      let next = map.get(key);
      if (next === undefined) map.set(key, (next = new Map()));
      return next;
    };
    level(level(level(this.#questions, verb), resource), namespace).set(name, handle);
    return handle;
  }
}
