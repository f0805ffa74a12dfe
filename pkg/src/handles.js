// The fastest RBAC call for a token seen again: the token is registered in the wasm module once
// and then passed as a number, instead of being copied into the module (character by character,
// the larger half of a cached decision's cost) on every call. Plumbing only: behind a handle the
// engine verifies and decides exactly as it does for the string.

/** Handles of the tokens registered in one wasm `Engine`. */
export class TokenHandles {
  #engine;
  #handles = new Map();
  #max;

  /** `max` at most the module's 1,024 slots, so that remembered handles are mostly live. */
  constructor(engine, max = 1024) {
    this.#engine = engine;
    this.#max = Math.min(max, 1024);
  }

  /** The status of `can`: 200 allowed, 401 no valid identity, 403 not allowed, 503 no usable bundle. */
  canStatus(token, verb, resource, namespace, name, now) {
    const e = this.#engine;
    let handle = this.#handles.get(token);
    if (handle !== undefined) {
      const status = e.canStatusFor(handle, verb, resource, namespace, name, now);
      if (status !== 0) return status;
    }
    if (this.#handles.size >= this.#max) this.#handles.clear();
    handle = e.registerToken(token);
    this.#handles.set(token, handle);
    const status = e.canStatusFor(handle, verb, resource, namespace, name, now);
    return status !== 0 ? status : e.canStatus(token, verb, resource, namespace, name, now);
  }
}
