// Types of the `tessera` package. The shapes mirror the Rust types that the wasm serialises
// (src/decision.rs Decision, src/identity.rs Identity and TokenReviewStatus, src/rbac/request.rs
// attributes); tests/pkg/types.test.mjs checks the Engine class against the wasm-bindgen output.

/** Who the caller is (src/identity.rs `Identity`). Frozen, with its arrays and `extra`; the
 *  next decisions on a cached token may give the same object. */
export interface Identity {
  /** `system:serviceaccount:<ns>:<name>`, or the impersonated user's id. */
  readonly username: string;
  readonly uid: string;
  /** Groups, `system:authenticated` last. */
  readonly groups: readonly string[];
  /** Kubernetes' extra attributes (pod-name, pod-uid, node-name, credential-id, ...). */
  readonly extra: Readonly<Record<string, readonly string[]>>;
  /** The account's namespace (it acts there and in the descendants only). */
  readonly namespace: string;
  readonly service_account: string;
  readonly kind: 'unique' | 'impersonating';
  /** Pomerium's User ID (what PPL's `user` matches). */
  readonly user_id: string;
  readonly email?: string;
  readonly group_ids?: readonly string[];
  /** When this identity stops being valid (seconds since the epoch). */
  readonly expires_at?: number;
  /** `jti`, or the secret name of a legacy token. */
  readonly token_id?: string;
  readonly format: 'kubernetes-legacy' | 'kubernetes-bound' | 'pomerium';
  /** The issuer's local name in the bundle. */
  readonly issuer: string;
  /** The token's audiences that its issuer accepts (absent when the issuer checks none). */
  readonly audiences?: readonly string[];
}

/** A Kubernetes UserInfo. */
export interface UserInfo {
  username: string;
  uid: string;
  groups: string[];
  extra: Record<string, string[]>;
}

/** The answer of `verify`: a TokenReview status plus the full identity. */
export interface TokenReview {
  authenticated: boolean;
  user?: UserInfo;
  /** The token's audiences that its issuer accepts, when authenticated (Kubernetes' status
   *  `audiences`; absent when the issuer checks none). */
  audiences?: string[];
  /** Why not, when not authenticated. */
  error?: string;
  identity?: Identity;
  /** A stable code when refused (`token-expired`, `signature-invalid`, `bundle-missing`, ...). */
  reason?: string;
  /** Set by the JavaScript layer: the id of this decision in the decision log. */
  decisionId?: string;
  /**
   * Set by the JavaScript layer when it failed closed without asking the module (503 no
   * bundle usable, 500 internal error).
   */
  status?: 500 | 503;
}

/** Every decision (src/decision.rs `Decision`). */
export interface Decision {
  allowed: boolean;
  /** 200 allowed, 400 bad request, 401 no valid identity, 403 not allowed, 404 no route,
   *  503 no usable bundle, 500 internal error (denied, fail closed). */
  status: number;
  /** Stable codes: Pomerium's for routes, `rbac-allowed` / `rbac-denied`, token errors. */
  reasons: string[];
  /** Which binding, rule or policy decided, or why the token was refused. */
  explanation: string;
  kind: 'resource' | 'non-resource' | 'http';
  identity?: Identity;
  /** The route that matched (HTTP decisions). */
  route?: string;
  /** The bundle revision the decision was made against. */
  revision: number;
  /** Set by the JavaScript layer: the id of this decision in the decision log. */
  decisionId?: string;
}

/** A SubjectAccessReview's `resourceAttributes` (all strings, `""` for none). */
export interface ResourceAttributes {
  verb: string;
  group?: string;
  resource: string;
  subresource?: string;
  name?: string;
  namespace?: string;
}

/** A SubjectAccessReview's `nonResourceAttributes`. */
export interface NonResourceAttributes {
  verb: string;
  path: string;
}

/** A request for `checkRequest`: header names in any case, values strings. */
export type HttpRequestInput = HttpRequestTarget & {
  method: string;
  headers?: Record<string, string>;
  /** The client's address, for PPL's `source_ip`. */
  sourceIp?: string;
};

/** Where the request goes: its URL, or its parts as a proxy has them (each checked on its own). */
export type HttpRequestTarget =
  | {
      /** Absolute `http(s)://host[:port]/path?query` URL. */
      url: string;
      host?: undefined;
      path?: undefined;
      scheme?: undefined;
    }
  | {
      url?: undefined;
      /** `name[:port]` or `[v6][:port]`, nothing else. */
      host: string;
      /** Starts with '/'; may carry the query. */
      path: string;
      /** `https` (the default) or `http`. */
      scheme?: string;
    };

/** A bundle as its JSON text or its bytes as read or fetched (copied into the module as they are). */
export type BundleSource = string | Uint8Array | ArrayBuffer;

/** The raw wasm engine (`src/wasm.rs`). Its decisions never throw; loading throws `Error`. */
export declare class Engine {
  /** The bundle as its JSON text or its bytes (a Uint8Array, such as a Node Buffer, or an ArrayBuffer). */
  constructor(bundle: BundleSource);
  static fromSigned(bundle: BundleSource, signature: string, trustedKeysJson: string, now?: number | null): Engine;
  update(bundle: BundleSource, now?: number | null): void;
  updateSigned(bundle: BundleSource, signature: string, trustedKeysJson: string, now?: number | null): void;
  readonly revision: number;
  readonly expiresAt: number | undefined;
  setCacheCapacity(capacity: number): void;
  setExpiryGrace(seconds: number): void;
  verify(token: string, now?: number | null): TokenReview;
  authorize(token: string, attributes: ResourceAttributes | NonResourceAttributes, now?: number | null): Decision;
  can(token: string, verb: string, resource: string, namespace: string, name?: string | null, now?: number | null): Decision;
  /** `can` reduced to the status: 200 allowed, 401 no valid identity, 403 not allowed, 503 bundle expired. */
  canStatus(token: string, verb: string, resource: string, namespace: string, name?: string | null, now?: number | null): number;
  /** Registers a token for `canStatusFor`; its handle stays live for the next 1,024 registrations. */
  registerToken(token: string): number;
  /** Registers a question (the arguments of `can` after the token) for `canStatusFor`; live for the next 1,024 registrations. */
  registerQuestion(verb: string, resource: string, namespace: string, name?: string | null): number;
  /** `canStatus` for a registered token and question; 0 when either handle is no longer live. */
  canStatusFor(token: number, question: number, now?: number | null): number;
  /** `canStatusFor` made `times` times inside the module; how many were allowed (for benchmarks: the decision timed without the call around it). */
  canStatusForRepeated(token: number, question: number, now: number | null | undefined, times: number): number;
  checkHttp(method: string, url: string, authorization?: string | null, pomeriumAuthorization?: string | null, now?: number | null): Decision;
  checkRequest(request: HttpRequestInput, now?: number | null): Decision;
  /** The signature check deciding on `token` needs, for asynchronous host crypto; `undefined` when none is needed ahead. */
  signatureCheck(token: string, now?: number | null): SignatureCheck | undefined;
  /** `signatureCheck` for the token of the `Authorization` / `X-Pomerium-Authorization` header values. */
  signatureCheckHeaders(authorization?: string | null, pomeriumAuthorization?: string | null, now?: number | null): SignatureCheck | undefined;
  /** `signatureCheck` packed in fewer calls across the boundary (read it with `unpackCheck`). */
  signatureCheckPacked(token: string, now?: number | null): PackedSignatureCheck | undefined;
  /** `signatureCheckHeaders` packed as `signatureCheckPacked` is. */
  signatureCheckHeadersPacked(authorization?: string | null, pomeriumAuthorization?: string | null, now?: number | null): PackedSignatureCheck | undefined;
  /** The verdict of the last signature check (by its `id`): how many keys verified and how many refused; whether it was kept (the decision on that token at the same `now` then repeats none of the token's own checks). */
  signatureVerdict(id: number, verified: number, refused: number): boolean;
  free(): void;
}

/** A signature check the engine chose the keys for: any one key that verifies is enough. */
export interface SignatureCheck {
  /** The engine's number for the check (`Engine#signatureVerdict`). */
  id: number;
  alg: string;
  /** JWK texts (a frozen array, the same one for each check with those keys). */
  keys: readonly string[];
  message: Uint8Array;
  signature: Uint8Array;
}

/**
 * Hands the signature math of public-key tokens (RS*, PS*, ES*, EdDSA) to the host:
 * `verifier(alg, jwkJson, message, signature)` returns true or false, or anything else to leave
 * the check to the module's own signature code; `null` removes it. The engine still chooses the key and
 * the algorithm. The Node, Deno and Bun entry installs node:crypto here. `message` and
 * `signature` are views of the module's memory, valid only until the verifier returns: copy them
 * to keep them.
 */
export declare function setSignatureVerifier(
  verifier: ((alg: string, jwk: string, message: Uint8Array, signature: Uint8Array) => boolean | undefined) | null,
): void;

/**
 * Turns on (default: the runtime's `crypto.subtle`) or, with `null`, off the WebCrypto signature
 * checks of the *Async methods. The workerd and browser entries turn it on. Returns whether on.
 */
export declare function useWebCrypto(subtle?: SubtleCrypto | null): boolean;

/** A verdict WebCrypto gave for one key of a signature check. */
export interface SignatureVerdict {
  alg: string;
  jwk: string;
  message: Uint8Array;
  signature: Uint8Array;
  valid: boolean;
}

/** Signature checks with WebCrypto, made ahead of the engine's synchronous decision. */
export declare class WebCryptoSignatures {
  constructor(options?: { subtle?: SubtleCrypto; maxKeys?: number });
  /** Never rejects; what WebCrypto cannot verify is left out (the module's own code decides it). */
  verify(check: SignatureCheck): Promise<SignatureVerdict[]>;
  with<T>(verdicts: SignatureVerdict[] | null, fn: () => T): T;
  verdict(alg: string, jwk: string, message: Uint8Array, signature: Uint8Array): boolean | undefined;
}

/**
 * A signature check as `Engine#signatureCheckPacked` gives it: `[bytes, keys, alg]`, `bytes`
 * the check's number and the signed bytes' length (4 bytes each, little-endian), the signed
 * bytes, the signature.
 */
export type PackedSignatureCheck = [bytes: Uint8Array, keys: readonly string[], alg: string];

/** A packed check as `Engine#signatureCheck` gives it (`undefined` for none). */
export declare function unpackCheck(packed: PackedSignatureCheck | undefined): SignatureCheck | undefined;

/** Gives WebCrypto's verdicts for a check back to the engine that made it; whether it kept them. */
export declare function giveVerdicts(engine: Engine, check: SignatureCheck, verdicts: SignatureVerdict[]): boolean;

/** What a storage hook keeps: the last good bundle, as fetched (re-verified when loaded). */
export interface StoredBundle {
  bundle: string;
  signature: string;
  etag?: string;
  /** When it was fetched (seconds since the epoch). */
  fetchedAt: number;
}

/** Where a short-lived isolate keeps the last good bundle (e.g. `cacheApiStorage(caches.default)`). */
export interface BundleStorage {
  get(key: string): Promise<StoredBundle | null | undefined>;
  set(key: string, value: StoredBundle): Promise<void>;
}

/** A refused bundle, a failed fetch or a failed storage call. */
export interface TesseraErrorLike extends Error {
  kind: 'bundle' | 'fetch' | 'storage';
}

export declare class TesseraError extends Error implements TesseraErrorLike {
  constructor(kind: 'bundle' | 'fetch' | 'storage', message: string, options?: { cause?: unknown });
  kind: 'bundle' | 'fetch' | 'storage';
}

export interface UpdateInfo {
  revision: number;
  previousRevision: number | undefined;
  source: 'network' | 'storage';
  etag?: string;
}

export interface RefreshResult {
  changed: boolean;
  revision: number | undefined;
  /** 200 (new bundle) or 304 (not modified); absent on error. */
  status?: 200 | 304;
  error?: TesseraErrorLike;
}

/** One decision in the decision log. Never the token. */
export interface DecisionRecord {
  decision_id: string;
  /** RFC 3339. */
  time: string;
  revision: number | null;
  /** The identity's user name, or null. */
  user: string | null;
  /** `{kind, method, url}` (url without query) or the RBAC attributes. */
  request: { kind: 'http' | 'rbac' | 'whoami'; [key: string]: string | number | boolean };
  allowed: boolean;
  status: number;
  reasons: string[];
  route?: string;
}

export interface DecisionLogOptions {
  /** Receives batches of records, later, off the decision path. */
  sink: (records: DecisionRecord[]) => void | Promise<unknown>;
  /** Records per batch (default 100): a full batch is handed over at once. */
  maxBatch?: number;
  /** Milliseconds before a partial batch is handed over (default 1000). */
  flushInterval?: number;
  /** Records kept while the sink lags (default 10000); more are dropped and counted. */
  maxQueue?: number;
  onError?: (error: unknown, batch: DecisionRecord[]) => void;
}

export declare class DecisionLog {
  constructor(options: DecisionLogOptions | DecisionLogOptions['sink']);
  readonly pending: number;
  readonly dropped: number;
  record(id: string, decision: Decision, request: Record<string, unknown>, revision?: number): void;
  flush(): Promise<void>;
}

export interface LoaderOptions {
  /** Default `${bundleUrl}.sig`. */
  signatureUrl?: string;
  /** Seconds between refreshes (default 60). */
  refreshInterval?: number;
  /** Fraction of the interval added or taken at random (default 0.1). */
  jitter?: number;
  /** Seconds before a fetch is abandoned (default 10). */
  fetchTimeout?: number;
  fetch?: (input: string, init?: { headers?: Record<string, string>; signal?: AbortSignal }) => Promise<Response>;
  storage?: BundleStorage;
  /** Default: the bundle URL. */
  storageKey?: string;
  onUpdate?: (info: UpdateInfo) => void;
  onError?: (error: TesseraErrorLike) => void;
  /** Seconds since the epoch (tests). */
  clock?: () => number;
}

export interface TesseraOptions extends LoaderOptions {
  /**
   * The keys pinned to sign bundles: a JWK Set or a single JWK (such as the CLI's
   * `bundle-signing.jwk.json`), as an object or JSON text. Required unless allowUnsigned.
   */
  trustedKeys?: { keys: object[] } | object | string;
  /** Accept unsigned bundles (tests, trusted local files). */
  allowUnsigned?: boolean;
  /** Fetch the bundle (and `.sig`) from here, with a BundleLoader. */
  bundleUrl?: string;
  /** Seconds the held bundle keeps answering past its `expires_at` (default 0). */
  expiryGrace?: number;
  /** Verified tokens cached (default: the engine's). */
  cacheCapacity?: number;
  decisionLog?: DecisionLog | DecisionLogOptions | DecisionLogOptions['sink'];
}

/** The ext_authz-style answer of `check`. */
export interface ProxyAnswer {
  /** 200 to forward; otherwise the status to answer. */
  status: number;
  /** Identity headers to set on the upstream request. */
  headersToUpstream: Record<string, string>;
  /** Header names to remove from the upstream request (the credential, client x-tessera-*). */
  headersToRemove: string[];
  /** Headers of the denial (content-type, WWW-Authenticate). */
  responseHeaders: Record<string, string>;
  /** The denial's JSON body ('' when allowed). */
  body: string;
  decision: Decision;
}

export interface ProxyRequest {
  method: string;
  host: string;
  /** Path with query. */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** `http` or `https` (default `https`); never taken from a request header. */
  scheme?: string;
  sourceIp?: string;
}

/** The guarded engine: never throws from a decision; fails closed when the wasm cannot answer. */
export declare class Tessera {
  constructor(options?: TesseraOptions);
  readonly loader: BundleLoader | null;
  readonly decisionLog: DecisionLog | null;
  readonly revision: number | undefined;
  readonly expiresAt: number | undefined;
  readonly etag: string | undefined;
  readonly loaded: boolean;
  /** Verifies (pinned keys) and loads; throws TesseraError and keeps the bundle held on refusal. */
  load(bundle: BundleSource, signature?: string, options?: { now?: number; etag?: string }): number;
  ready(): Promise<number>;
  /** The last good bundle (text, or a copy of the bytes it was loaded from), signature and ETag. */
  snapshot(): { bundle: string | Uint8Array; signature?: string; etag?: string } | null;
  verify(token: string, now?: number): TokenReview;
  authorize(token: string, attributes: ResourceAttributes | NonResourceAttributes, now?: number): Decision;
  can(token: string, verb: string, resource: string, namespace: string, name?: string, now?: number): Decision;
  /** `can` reduced to its status (200, 401, 403; 500/503 failed closed); the fastest RBAC call. */
  canStatus(token: string, verb: string, resource: string, namespace: string, name?: string, now?: number): number;
  checkHttp(method: string, url: string, authorization?: string, pomeriumAuthorization?: string, now?: number): Decision;
  checkRequest(request: HttpRequestInput, now?: number): Decision;
  check(request: ProxyRequest, now?: number): ProxyAnswer;
  /** The same questions with public-key signatures checked by WebCrypto first (see `useWebCrypto`); never reject. */
  verifyAsync(token: string, now?: number): Promise<TokenReview>;
  authorizeAsync(token: string, attributes: ResourceAttributes | NonResourceAttributes, now?: number): Promise<Decision>;
  canAsync(token: string, verb: string, resource: string, namespace: string, name?: string, now?: number): Promise<Decision>;
  canStatusAsync(token: string, verb: string, resource: string, namespace: string, name?: string, now?: number): Promise<number>;
  checkHttpAsync(method: string, url: string, authorization?: string, pomeriumAuthorization?: string, now?: number): Promise<Decision>;
  checkRequestAsync(request: HttpRequestInput, now?: number): Promise<Decision>;
  checkAsync(request: ProxyRequest, now?: number): Promise<ProxyAnswer>;
  close(): Promise<void>;
}

export declare class BundleLoader {
  constructor(tessera: Tessera, options: LoaderOptions & { url: string });
  readonly lastError: TesseraErrorLike | null;
  readonly nextRefreshAt: number;
  ready(): Promise<number>;
  refresh(): Promise<RefreshResult>;
  maybeRefresh(): Promise<RefreshResult> | null;
  start(): this;
  stop(): void;
}

export declare function memoryStorage(): BundleStorage;
export declare function cacheApiStorage(cache: { match(url: string): Promise<Response | undefined>; put(url: string, response: Response): Promise<void> }, options?: { ttl?: number }): BundleStorage;
export declare function decisionId(): string;

export declare const IDENTITY_HEADERS: { readonly user: 'x-tessera-user'; readonly groups: 'x-tessera-groups'; readonly namespace: 'x-tessera-namespace' };

export interface EdgeOptions {
  /** Where allowed requests go (default `fetch(request)`). */
  upstream?: (request: Request, env?: unknown, ctx?: unknown) => Response | Promise<Response>;
  /** Include the explanation in denial bodies (default false: it names policy details). */
  explain?: boolean;
  realm?: string;
  /** The client's address for PPL `source_ip` (e.g. from `cf-connecting-ip`); default none. */
  sourceIp?: (request: Request) => string | undefined;
  /** Decision time, seconds since the epoch (tests). */
  now?: number;
  waitUntil?: (promise: Promise<unknown>) => void;
}

export type AuthorizeResult =
  | { allowed: true; decision: Decision; request: Request }
  | { allowed: false; decision: Decision; response: Response };

export declare function authorizeRequest(tessera: Tessera, request: Request, options?: EdgeOptions): Promise<AuthorizeResult>;
export declare function edgeHandler(tessera: Tessera, options?: EdgeOptions): (request: Request, env?: unknown, ctx?: { waitUntil(promise: Promise<unknown>): void }) => Promise<Response>;
export declare function checkProxyRequest(tessera: Tessera, request: ProxyRequest, now?: number, options?: { explain?: boolean; realm?: string }): ProxyAnswer;
export declare function checkProxyRequestAsync(tessera: Tessera, request: ProxyRequest, now?: number, options?: { explain?: boolean; realm?: string }): Promise<ProxyAnswer>;
export declare function headersToRemove(headers: Record<string, string | string[] | undefined> | Headers, set?: Record<string, string>): string[];
export declare function identityHeaders(decision: Decision): Record<string, string>;
export declare function denialBody(decision: Decision, options?: { explain?: boolean }): string;
export declare function denialHeaders(decision: Decision, options?: { realm?: string; presented?: boolean }): Record<string, string>;
