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
  /** verb -> resource -> namespace -> name -> handle */
  #questions = new Map();
  #questionCount = 0;
  #max;

  /** `max` at most the module's 1,024 slots, so that remembered handles are mostly live. */
  constructor(engine, max = MODULE_SLOTS) {
    this.#engine = engine;
    this.#max = Math.min(max, MODULE_SLOTS);
  }

  /** The status of `can`: 200 allowed, 401 no valid identity, 403 not allowed, 503 no usable bundle. */
  canStatus(token, verb, resource, namespace, name, now) {
    const e = this.#engine;
    const n = name ?? '';
    let t = this.#tokens.get(token);
    let q = this.#questions.get(verb)?.get(resource)?.get(namespace)?.get(n);
    if (t !== undefined && q !== undefined) {
      const status = e.canStatusFor(t, q, now);
      if (status !== 0) return status;
    }
    // First sight, or a handle reused by the module since: register again.
    t = this.#registerToken(token);
    q = this.#registerQuestion(verb, resource, namespace, n);
    const status = e.canStatusFor(t, q, now);
    return status !== 0 ? status : e.canStatus(token, verb, resource, namespace, name, now);
  }

  #registerToken(token) {
    if (this.#tokens.size >= this.#max) this.#tokens.clear();
    const handle = this.#engine.registerToken(token);
    this.#tokens.set(token, handle);
    return handle;
  }

  #registerQuestion(verb, resource, namespace, name) {
    if (this.#questionCount >= this.#max) {
      this.#questions.clear();
      this.#questionCount = 0;
    }
    const handle = this.#engine.registerQuestion(verb, resource, namespace, name);
    const level = (map, key) => {
      let next = map.get(key);
      if (next === undefined) map.set(key, (next = new Map()));
      return next;
    };
    const byName = level(level(level(this.#questions, verb), resource), namespace);
    if (!byName.has(name)) this.#questionCount++;
    byName.set(name, handle);
    return handle;
  }
}
