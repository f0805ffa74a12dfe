// The fastest RBAC call for a token and a question seen again: both are registered in the wasm
// module once and then passed as numbers, instead of being copied into the module (character by
// character) and the question rebuilt on every call. Plumbing only: behind the handles the engine
// verifies and decides exactly as it does for the strings.

/** The module keeps this many registrations of each kind (its `SLOTS`). */
const MODULE_SLOTS = 1024;

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
    const t = this.#tokens.get(token) ?? this.#registerToken(token);
    const q = this.#questions.get(verb)?.get(resource)?.get(namespace)?.get(n) ?? this.#registerQuestion(verb, resource, namespace, n);
    const status = e.canStatusFor(t, q, now);
    if (status !== 0) return status;
    // A handle the module no longer holds: register both again, or ask with the strings.
    const again = e.canStatusFor(this.#registerToken(token), this.#registerQuestion(verb, resource, namespace, n), now);
    return again !== 0 ? again : e.canStatus(token, verb, resource, namespace, name, now);
  }

  #registerToken(token) {
    if (this.#tokenRegistrations >= this.#max) {
      this.#tokens.clear();
      this.#tokenRegistrations = 0;
    }
    this.#tokenRegistrations++;
    const handle = this.#engine.registerToken(token);
    this.#tokens.set(token, handle);
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
