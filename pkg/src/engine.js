// The guarded engine: holds the wasm Engine and the last good bundle, forwards every question
// to the wasm, and never throws from a decision. It decides nothing itself: when the wasm cannot
// answer (no bundle yet, or an exception or trap inside it) it fails closed with a reason, and
// after a trap it re-instantiates the module and reloads the last good bundle.
import { Engine, __wbg_reset_state, setSignatureVerifier as installInModule } from '../dist/wasm/tessera.js';
import { BundleLoader } from './loader.js';
import { TesseraError } from './errors.js';
import { DecisionLog } from './log.js';
import { checkProxyRequest, checkProxyRequestAsync } from './http.js';
import { TokenHandles } from './handles.js';
import { WebCryptoSignatures, giveVerdicts, unpackCheck } from './web-crypto.js';

export { TesseraError };

// Bumped whenever this module resets the wasm instance: every Engine made before is then stale
// and its Tessera reloads its bundle before the next question.
let generation = 0;

// The host's signature math, if the entry (or the user) installed one: installed again after a
// reset, which starts the module afresh.
let signatureVerifier = null;

// WebCrypto's verdicts, checked ahead of a decision by the *Async methods (workers, browsers).
let webSignatures = null;

// What the module calls: a verdict WebCrypto gave ahead for exactly these bytes, else the
// synchronous verifier, else nothing (the module's own signature code decides).
function installHostVerifier() {
  const sync = signatureVerifier;
  const web = webSignatures;
  if (web === null) {
    installInModule(sync);
    return;
  }
  installInModule((alg, jwk, message, signature) => {
    const verdict = web.verdict(alg, jwk, message, signature);
    if (verdict !== undefined) return verdict;
    return sync === null ? undefined : sync(alg, jwk, message, signature);
  });
}

/**
 * Hands the signature math of public-key tokens to `verifier(alg, jwkJson, message, signature)`
 * (true/false; anything else leaves it to the module's own signature code), or `null` for none. The Node
 * entry installs Node's `crypto.verify`. The engine still chooses the key and the algorithm.
 * `message` and `signature` are views of the module's memory, valid only during the call.
 */
export function setSignatureVerifier(verifier) {
  signatureVerifier = typeof verifier === 'function' ? verifier : null;
  installHostVerifier();
}

/**
 * Lets the *Async methods (`verifyAsync`, `canAsync`, `checkRequestAsync`, ...) check
 * public-key signatures with WebCrypto before deciding: `subtle` defaults to the runtime's
 * `crypto.subtle`; `null` turns it off. The workerd and browser entries turn it on. Returns
 * whether it is on (false where there is no WebCrypto).
 */
export function useWebCrypto(subtle = globalThis.crypto?.subtle) {
  try {
    webSignatures = subtle ? new WebCryptoSignatures({ subtle }) : null;
  } catch {
    webSignatures = null;
  }
  installHostVerifier();
  return webSignatures !== null;
}

function headerValue(headers, wanted) {
  if (!headers || typeof headers !== 'object') return undefined;
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() === wanted && typeof value === 'string') return value;
  }
  return undefined;
}

let idCounter = 0;
const idPrefix = Math.random().toString(36).slice(2, 10);
/** A fresh decision id (random UUID where the runtime has one). */
export function decisionId() {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === 'function') return c.randomUUID();
  idCounter += 1;
  return `${idPrefix}-${Date.now().toString(36)}-${idCounter.toString(36)}`;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

// The bundle as load() keeps it: text as given; bytes copied into a Uint8Array of its own, so
// that a later change to the caller's buffer cannot alter the bundle reloaded after a reset.
// (`new Uint8Array(view)` copies; a Node Buffer's `slice` would not.)
function ownBundle(bundle) {
  if (typeof bundle === 'string') return bundle;
  if (bundle instanceof Uint8Array) return new Uint8Array(bundle);
  if (bundle instanceof ArrayBuffer) return new Uint8Array(bundle.slice(0));
  throw new TesseraError('bundle', `tessera: the bundle must be its JSON text (a string) or its bytes (a Uint8Array or an ArrayBuffer), not ${bundle === null ? 'null' : typeof bundle}`);
}

// The members checkRequest reads, so that the others (a body, say) are not turned into JSON on
// the way to the engine. Read as JSON.stringify reads them (own enumerable properties), so the
// engine sees the same JSON for those members. Anything else goes as it is, for the engine to read
// whole and name its problem: not an object, an array, an object with its own toJSON, or one
// whose reading throws (a getter).
const REQUEST_MEMBERS = ['method', 'url', 'scheme', 'host', 'path', 'headers', 'sourceIp'];
function requestMembers(request) {
  if (request === null || typeof request !== 'object' || Array.isArray(request)) return request;
  try {
    if (typeof request.toJSON === 'function') return request;
    const members = {};
    for (const name of REQUEST_MEMBERS) {
      if (Object.prototype.propertyIsEnumerable.call(request, name)) members[name] = request[name];
    }
    return members;
  } catch {
    return request;
  }
}

// The signature check an *Async method asks an engine for, at `at`, packed across the boundary
// (fewer calls than the object `Engine#signatureCheck` builds); `#signatures` unpacks it.
const tokenCheck = (token) => (e, at) => e.signatureCheckPacked(String(token ?? ''), at);
const headersCheck = (authorization, pomeriumAuthorization) => (e, at) =>
  e.signatureCheckHeadersPacked(authorization, pomeriumAuthorization, at);
const requestCheck = (request) => (e, at) => e.signatureCheckHeadersPacked(...requestCredentials(request), at);

// The `Authorization` and `X-Pomerium-Authorization` values of a request's headers, for its
// signature check; none where reading them throws (a getter of the caller's): the decision then
// says what is wrong with the request.
function requestCredentials(request) {
  try {
    const headers = request?.headers;
    return [headerValue(headers, 'authorization'), headerValue(headers, 'x-pomerium-authorization')];
  } catch {
    return [undefined, undefined];
  }
}

function keysText(trustedKeys) {
  if (trustedKeys === undefined || trustedKeys === null) return undefined;
  if (typeof trustedKeys === 'string') return trustedKeys;
  return JSON.stringify(trustedKeys);
}

const KUBECTL_STRINGS = 'can: verb and resource must be strings, namespace and name strings or undefined';

function optionalString(value) {
  return value === undefined || value === null || typeof value === 'string';
}

/** Whether `checkHttp`'s request is of the types the module takes. */
function httpStrings(method, url, authorization, pomeriumAuthorization) {
  return typeof method === 'string' && typeof url === 'string' && optionalString(authorization) && optionalString(pomeriumAuthorization);
}

/** Whether `can`'s question is of the types the module takes. */
function kubectlStrings(verb, resource, namespace, name) {
  return typeof verb === 'string' && typeof resource === 'string' && optionalString(namespace) && optionalString(name);
}

function failClosed(kind, status, reason, explanation, revision) {
  return { allowed: false, status, reasons: [reason], explanation, kind, revision };
}

function messageOf(error) {
  return error instanceof Error ? error.message : String(error);
}

export class Tessera {
  #engine = null;
  #handles = null;
  #handlesOf = null;
  #generation = -1;
  #lastGood = null; // { bundle, signature, etag }
  #trustedKeys;
  #unsigned;
  #expiryGrace;
  #cacheCapacity;
  #log;
  #clock;

  /**
   * @param {object} [options] see types/index.d.ts (TesseraOptions).
   */
  constructor(options = {}) {
    this.#trustedKeys = keysText(options.trustedKeys);
    this.#unsigned = options.allowUnsigned === true;
    if (this.#trustedKeys === undefined && !this.#unsigned) {
      throw new TypeError('tessera: options.trustedKeys (a JWK Set pinned to sign bundles) is required; pass allowUnsigned: true only for tests and trusted local files');
    }
    this.#expiryGrace = Math.max(0, Math.floor(options.expiryGrace ?? 0));
    this.#cacheCapacity = options.cacheCapacity;
    this.#clock = options.clock ?? nowSeconds;
    const log = options.decisionLog;
    this.#log = log === undefined || log === null ? null : log instanceof DecisionLog ? log : new DecisionLog(log);
    this.loader = options.bundleUrl ? new BundleLoader(this, { ...options, url: options.bundleUrl }) : null;
  }

  /** The decision log, if any. */
  get decisionLog() {
    return this.#log;
  }

  /** The revision of the bundle held, or `undefined` before the first bundle. */
  get revision() {
    return this.#lastGood ? this.#call((e) => e.revision, undefined) : undefined;
  }

  /** When the bundle held expires (seconds since the epoch), or `undefined`. */
  get expiresAt() {
    return this.#lastGood ? this.#call((e) => e.expiresAt, undefined) : undefined;
  }

  /** The ETag of the bundle held, when it came from a loader. */
  get etag() {
    return this.#lastGood?.etag;
  }

  /** Whether a bundle is held (decisions can be other than 503 `bundle-missing`). */
  get loaded() {
    return this.#lastGood !== null;
  }

  /**
   * Loads a bundle and its detached signature. The bundle is its JSON text or its bytes as
   * read or fetched (a Uint8Array, such as a Node Buffer, or an ArrayBuffer: no decoding to
   * text and encoding back). Verified in the wasm against the pinned keys; a bundle older
   * than the one held (rollback), past its `expires_at`, badly signed or invalid throws a
   * TesseraError and the bundle held stays.
   * @returns {number} the new revision.
   */
  load(bundle, signature, { now, etag } = {}) {
    bundle = ownBundle(bundle);
    if (!this.#unsigned && typeof signature !== 'string') throw new TesseraError('bundle', 'tessera: the bundle has no signature and options.trustedKeys is set');
    const at = now ?? this.#clock();
    try {
      this.#ensureFresh();
      if (this.#engine === null) {
        this.#engine = this.#build(bundle, signature, at);
        this.#generation = generation;
      } else if (typeof signature === 'string' && this.#trustedKeys !== undefined) {
        this.#engine.updateSigned(bundle, signature, this.#trustedKeys, at);
      } else {
        this.#engine.update(bundle, at);
      }
    } catch (error) {
      if (error instanceof WebAssembly.RuntimeError) this.#recover();
      throw new TesseraError('bundle', messageOf(error), { cause: error });
    }
    this.#lastGood = { bundle, signature, etag, expiresAt: this.#engine.expiresAt };
    return this.#engine.revision;
  }

  /** Loads from the network/storage when a loader is configured; resolves when a bundle is held. */
  async ready() {
    if (this.loader) return this.loader.ready();
    if (!this.#lastGood) throw new TesseraError('bundle', 'tessera: no bundle loaded (call load(), or give options.bundleUrl)');
    return this.revision;
  }

  /**
   * The last good bundle (text, or a copy of the bytes it was loaded from), signature and ETag
   * (what a storage hook keeps).
   */
  snapshot() {
    if (!this.#lastGood) return null;
    const { bundle, signature, etag } = this.#lastGood;
    return { bundle: typeof bundle === 'string' ? bundle : bundle.slice(), signature, etag };
  }

  /** Who is this token? A TokenReview status `{authenticated, user, error}` plus `identity`. */
  verify(token, now) {
    const review = this.#ask(
      (e) => e.verify(String(token ?? ''), now),
      (status, reason, why) => ({ authenticated: false, error: why, reason, status }),
    );
    this.#record(review.authenticated ? { allowed: true, status: 200, reasons: ['authenticated'], identity: review.identity } : { allowed: false, status: 401, reasons: [review.reason ?? 'unauthenticated'] }, () => ({ kind: 'whoami' }), review);
    return review;
  }

  /** An RBAC question (SubjectAccessReview attributes). Never throws. */
  authorize(token, attributes, now) {
    const d = this.#decide('resource', (e) => e.authorize(String(token ?? ''), attributes, now));
    this.#record(d, () => ({ kind: 'rbac', ...(attributes && typeof attributes === 'object' ? attributes : {}) }));
    return d;
  }

  /** The hot RBAC call, strings only (`kubectl auth can-i`). Never throws. */
  can(token, verb, resource, namespace, name, now) {
    const d = kubectlStrings(verb, resource, namespace, name)
      ? this.#decide('resource', (e) => e.can(String(token ?? ''), verb, resource, namespace ?? '', name, now))
      : this.#invalid('resource', KUBECTL_STRINGS);
    this.#record(d, () => ({ kind: 'rbac', verb, resource, namespace, name }));
    return d;
  }

  /**
   * The fastest RBAC call: `can` reduced to its status (200 allowed, 401 no valid identity, 403
   * not allowed, 500/503 failed closed). A token seen before is passed to the module as a
   * number. Never throws.
   */
  canStatus(token, verb, resource, namespace, name, now) {
    if (!kubectlStrings(verb, resource, namespace, name)) return 400;
    const status = this.#call((e) => {
      if (this.#handlesOf !== e) {
        this.#handles = new TokenHandles(e);
        this.#handlesOf = e;
      }
      return this.#handles.canStatus(String(token ?? ''), verb, resource, namespace ?? '', name, now);
    }, this.#engine === null ? 503 : 500);
    if (this.#log !== null) {
      this.#record({ allowed: status === 200, status, reasons: [], explanation: '' }, () => ({ kind: 'rbac', verb, resource, namespace, name }));
    }
    return status;
  }

  /** The hot HTTP call, strings only. Never throws. */
  checkHttp(method, url, authorization, pomeriumAuthorization, now) {
    const d = httpStrings(method, url, authorization, pomeriumAuthorization)
      ? this.#decide('http', (e) => e.checkHttp(method, url, authorization, pomeriumAuthorization, now))
      : this.#invalid('http', 'checkHttp: method and url must be strings, authorization and pomeriumAuthorization strings or undefined');
    this.#record(d, () => ({ kind: 'http', method, url }));
    return d;
  }

  /** A whole request `{method, url, headers, sourceIp}` (headers: a plain object). Never throws. */
  checkRequest(request, now) {
    const d = this.#decide('http', (e) => e.checkRequest(requestMembers(request), now));
    this.#record(d, () => ({ kind: 'http', method: request?.method, url: request?.url ?? `${request?.scheme ?? 'https'}://${request?.host}${request?.path}` }));
    return d;
  }

  // --- the same questions, with public-key signatures checked by WebCrypto first -----------
  // Where `useWebCrypto()` is on (the workerd and browser entries), each first asks the engine
  // which signature check the decision needs, makes it with WebCrypto, and then decides exactly
  // as the synchronous method does, the engine taking WebCrypto's verdict for those bytes.
  // Elsewhere they are the synchronous methods. Never reject. The check and the decision are
  // made at the same second (`now`, or the time of the call), as the engine's kept verdict
  // requires.

  /** `verify`, with the signature checked by WebCrypto first. */
  async verifyAsync(token, now) {
    return this.#checked(now, tokenCheck(token), (at) => this.verify(token, at));
  }

  /** `authorize`, with the signature checked by WebCrypto first. */
  async authorizeAsync(token, attributes, now) {
    return this.#checked(now, tokenCheck(token), (at) => this.authorize(token, attributes, at));
  }

  /** `can`, with the signature checked by WebCrypto first. */
  async canAsync(token, verb, resource, namespace, name, now) {
    return this.#checked(now, tokenCheck(token), (at) => this.can(token, verb, resource, namespace, name, at));
  }

  /** `canStatus`, with the signature checked by WebCrypto first. */
  async canStatusAsync(token, verb, resource, namespace, name, now) {
    return this.#checked(now, tokenCheck(token), (at) => this.canStatus(token, verb, resource, namespace, name, at));
  }

  /** `checkHttp`, with the signature checked by WebCrypto first. */
  async checkHttpAsync(method, url, authorization, pomeriumAuthorization, now) {
    return this.#checked(now, headersCheck(authorization, pomeriumAuthorization), (at) => this.checkHttp(method, url, authorization, pomeriumAuthorization, at));
  }

  /** `checkRequest`, with the signature checked by WebCrypto first. */
  async checkRequestAsync(request, now) {
    return this.#checked(now, requestCheck(request), (at) => this.checkRequest(request, at));
  }

  /** `check` (the proxy-filter call), with the signature checked by WebCrypto first. */
  async checkAsync(request, now) {
    return checkProxyRequestAsync(this, request, now);
  }

  /**
   * The proxy-filter call (Envoy ext_authz style): `{method, host, path, headers, scheme?,
   * sourceIp?}` to `{status, headersToUpstream, headersToRemove, responseHeaders, body,
   * decision}`. Never throws.
   */
  check(request, now) {
    return checkProxyRequest(this, request, now);
  }

  /** Stops the loader's timer and flushes the decision log. */
  async close() {
    this.loader?.stop();
    await this.#log?.flush();
  }

  // --- internals ----------------------------------------------------------------------------

  #build(bundle, signature, at) {
    const engine = typeof signature === 'string' && this.#trustedKeys !== undefined
      ? Engine.fromSigned(bundle, signature, this.#trustedKeys, at)
      : new Engine(bundle);
    if (this.#expiryGrace > 0) engine.setExpiryGrace(this.#expiryGrace);
    if (this.#cacheCapacity !== undefined) engine.setCacheCapacity(this.#cacheCapacity);
    return engine;
  }

  // After another Tessera reset the wasm instance, this one's Engine is stale: rebuild it from
  // the last good bundle (whose signature was checked when it was loaded).
  #ensureFresh() {
    if (this.#engine === null || this.#generation === generation) return;
    this.#engine = null;
    if (!this.#lastGood) return;
    const { bundle, signature, expiresAt } = this.#lastGood;
    try {
      // The same bytes and signature as were accepted. Loading checks expiry strictly, so load
      // "as of" a moment before expires_at: every decision checks it again (with the grace).
      const at = expiresAt === undefined ? undefined : Math.min(this.#clock(), expiresAt - 1);
      this.#engine = this.#build(bundle, signature, at);
      this.#generation = generation;
    } catch {
      // Not expected (these bytes loaded before): no engine, decisions fail closed (503
      // bundle-unusable).
      this.#engine = null;
    }
  }

  #recover() {
    try {
      __wbg_reset_state();
      installHostVerifier();
    } catch {
      // Nothing more can be done here; every decision keeps failing closed.
    }
    generation += 1;
    this.#ensureFresh();
  }

  #call(fn, fallback) {
    this.#ensureFresh();
    if (this.#engine === null) return fallback;
    try {
      return fn(this.#engine);
    } catch (error) {
      this.#recover();
      return fallback;
    }
  }

  #ask(fn, denial) {
    this.#ensureFresh();
    const revision = this.#heldRevision();
    if (this.#engine === null) {
      return this.#lastGood
        ? denial(503, 'bundle-unusable', 'tessera: the bundle held could not be loaded again after a reset: denied')
        : denial(503, 'bundle-missing', 'tessera: no bundle loaded yet: denied');
    }
    try {
      const answer = fn(this.#engine);
      if (answer === null || typeof answer !== 'object') throw new TypeError('the wasm returned no decision');
      return answer;
    } catch (error) {
      this.#recover();
      return denial(500, 'internal-error', `tessera: internal error, denied (fail closed): ${messageOf(error)} (revision ${revision})`);
    }
  }

  #decide(kind, fn) {
    const revision = this.#heldRevision();
    const d = this.#ask(fn, (status, reason, why) => failClosed(kind, status, reason, why, revision));
    if (typeof d.allowed !== 'boolean' || typeof d.status !== 'number' || !Array.isArray(d.reasons)) {
      return failClosed(kind, 500, 'internal-error', 'tessera: the wasm returned a malformed decision: denied', revision);
    }
    return d;
  }

  // What every *Async method does: the check `ask` names, made with WebCrypto, then `decide`,
  // both at one time `now` (the given one, or the current second).
  async #checked(now, ask, decide) {
    const at = now ?? nowSeconds();
    // Awaited only when there is a check to make: a cached token or HMAC decides at once.
    const pending = this.#signatures((e) => ask(e, at));
    const checked = pending === null ? null : await pending;
    return this.#withVerdicts(checked, () => decide(at));
  }

  // The signature check the engine asks for, and WebCrypto's verdicts: null when there is
  // nothing to check (WebCrypto off, the check not needed), else a promise of them, which
  // resolves to null if anything fails (the decision then verifies in the module).
  #signatures(ask) {
    const web = webSignatures;
    if (web === null) return null;
    let check;
    try {
      // Unpacked here, not in `#call`: a JavaScript error of its own resets no module.
      check = unpackCheck(this.#call(ask, undefined));
    } catch {
      return null;
    }
    if (check === undefined) return null;
    // The engine that made the check (`#call` ran it on this one, and nothing has run since).
    const engine = this.#engine;
    try {
      return web.verify(check).then((verdicts) => ({ engine, check, verdicts }), () => null);
    } catch {
      return Promise.resolve(null);
    }
  }

  // Decides with the verdicts given back: to the engine, which then repeats none of the token's
  // own checks (it counts them: the rule of which keys suffice is its own), and held for the
  // signature verifier in case another check was made meanwhile (the engine keeps the last).
  #withVerdicts(checked, decide) {
    const web = webSignatures;
    if (web === null || checked === null) return decide();
    const { engine, check, verdicts } = checked;
    // Only to the engine that made the check (one rebuilt meanwhile never made it).
    this.#call((e) => e === engine && giveVerdicts(e, check, verdicts), false);
    return web.with(verdicts, decide);
  }

  // `describe` gives the request as the decision log records it (read only when logging; a
  // request whose members throw when read is recorded as unreadable).
  #record(decision, describe, target = decision) {
    const id = decisionId();
    target.decisionId = id;
    if (this.#log === null) return;
    let request;
    try {
      request = describe();
    } catch {
      request = { kind: 'unreadable' };
    }
    this.#log.record(id, decision, request, this.revision);
  }

  // The revision of the bundle held, 0 with none (for a denial's record).
  #heldRevision() {
    return this.#engine ? this.#call((e) => e.revision, 0) : 0;
  }

  // A question whose arguments are not of the documented types: a 400 denial, made here
  // without calling the module (whose bindings would throw on them).
  #invalid(kind, why) {
    const revision = this.#heldRevision();
    return failClosed(kind, 400, 'request-invalid', `tessera: ${why}: denied`, revision);
  }
}
