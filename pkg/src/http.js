// The adapters: standard Request/Response (edge workers) and the proxy-filter answer (Envoy
// ext_authz style). They read the request into the wasm's shape, and format the wasm's Decision
// into headers and bodies. Allow/deny, status and reasons are the wasm's; nothing is decided here.

/** The identity headers set on allowed requests (and removed from every incoming request). */
export const IDENTITY_HEADERS = Object.freeze({
  user: 'x-tessera-user',
  groups: 'x-tessera-groups',
  namespace: 'x-tessera-namespace',
});

// A Bearer or Pomerium credential anywhere in the header's value: after the start or a comma
// (two Authorization headers are joined with ", "), after any white space the engine trims
// (Rust's, which counts U+0085; JavaScript's \s does not).
const CREDENTIAL_SCHEMES = /(^|,)[\s\u0085]*(bearer|pomerium)([\s\u0085]|$)/i;

function lowerHeaders(headers) {
  const out = {};
  if (!headers) return out;
  const add = (name, value) => {
    const key = String(name).toLowerCase();
    const text = Array.isArray(value) ? value.join(', ') : String(value);
    out[key] = key in out ? `${out[key]}, ${text}` : text;
  };
  if (typeof headers.forEach === 'function' && typeof headers.get === 'function') {
    headers.forEach((value, name) => add(name, value));
  } else {
    for (const [name, value] of Object.entries(headers)) if (value !== undefined && value !== null) add(name, value);
  }
  return out;
}

/**
 * The headers to take off the request before it goes upstream: the credential (the
 * `X-Pomerium-Authorization` header, and `Authorization` when it holds a Bearer or Pomerium
 * token: other schemes are the upstream's business) and every `x-tessera-*` header the client
 * sent, also spelled with `_` (`X-Tessera_User`: servers that read headers as CGI variables,
 * Rack, PHP, WSGI, take `-` and `_` for one character), except those in `set` (which the proxy
 * overwrites).
 */
export function headersToRemove(headers, set = {}) {
  const h = lowerHeaders(headers);
  const names = new Set(Object.values(IDENTITY_HEADERS));
  for (const name of Object.keys(h)) if (name.replaceAll('_', '-').startsWith('x-tessera-')) names.add(name);
  for (const name of Object.keys(set)) names.delete(name);
  const remove = [...names];
  if ('x-pomerium-authorization' in h) remove.push('x-pomerium-authorization');
  if ('authorization' in h && CREDENTIAL_SCHEMES.test(h.authorization)) remove.push('authorization');
  return remove;
}

function hasCredential(h) {
  return 'x-pomerium-authorization' in h || 'authorization' in h;
}

// A value a header carries as it is: visible ASCII, no ',' (the groups' separator) and no '%'
// (so that a '%' in a header value always starts an escape).
const HEADER_SAFE = /^[\x21-\x24\x26-\x2b\x2d-\x7e]*$/;

/** `value` as a header carries it: as it is, or percent-encoded (`encodeURIComponent`). */
function headerValue(value) {
  const text = String(value);
  return HEADER_SAFE.test(text) ? text : encodeURIComponent(text);
}

/**
 * The identity headers for an allowed decision (none when the route allowed without one).
 * Each value (each group) that holds a character a header cannot carry, a space, a ',' or a
 * '%' is percent-encoded, so `decodeURIComponent` of each value (of each comma-separated
 * group) gives it back whole.
 */
export function identityHeaders(decision) {
  const id = decision?.allowed ? decision.identity : undefined;
  if (!id) return {};
  return {
    [IDENTITY_HEADERS.user]: headerValue(id.username),
    [IDENTITY_HEADERS.groups]: (id.groups ?? []).map(headerValue).join(','),
    [IDENTITY_HEADERS.namespace]: headerValue(id.namespace ?? ''),
  };
}

/** The JSON body of a denial: status, reasons, decision id (and the explanation if asked). */
export function denialBody(decision, { explain = false } = {}) {
  const body = { status: decision.status, reasons: decision.reasons, decision_id: decision.decisionId };
  if (explain) body.explanation = decision.explanation;
  return JSON.stringify(body);
}

/**
 * The response headers of a denial: JSON, no caching, and `WWW-Authenticate` on 401/403
 * (RFC 6750: `error="invalid_token"` when a credential was presented, `insufficient_scope` on 403).
 */
export function denialHeaders(decision, { realm = 'tessera', presented = false } = {}) {
  const headers = { 'content-type': 'application/json', 'cache-control': 'no-store' };
  if (decision.status === 401) {
    headers['www-authenticate'] = presented
      ? `Bearer realm="${realm}", error="invalid_token"`
      : `Bearer realm="${realm}"`;
  } else if (decision.status === 403) {
    headers['www-authenticate'] = `Bearer realm="${realm}", error="insufficient_scope"`;
  }
  return headers;
}

/**
 * Reads a proxy filter's request `{method, host, path, headers, scheme?, sourceIp?}`. The parts
 * go to the engine as they are, which checks each (a host cannot carry a path, a user or a
 * fragment into the URL they make).
 */
function proxyRequest(request) {
  const headers = lowerHeaders(request?.headers);
  const host = request?.host ?? headers[':authority'] ?? headers.host ?? '';
  const path = request?.path ?? headers[':path'] ?? '/';
  // Never from a header: a client may send x-forwarded-proto (tessera/node reads it only when
  // the proxy is trusted to set it, and passes it here as `scheme`).
  const scheme = request?.scheme ?? 'https';
  const method = request?.method ?? headers[':method'] ?? 'GET';
  return { method: String(method), scheme: String(scheme), host: String(host), path: String(path), headers, sourceIp: request?.sourceIp };
}

/**
 * `proxyRequest`, or, for a request whose members cannot be read (a getter that throws), the
 * request the engine refuses as invalid (400) with the reason.
 */
function readProxyRequest(request) {
  try {
    return proxyRequest(request);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return { method: 'GET', scheme: 'https', host: `(unreadable request: ${why})`, path: '/', headers: {}, sourceIp: undefined };
  }
}

/** The proxy-filter call behind `Tessera#check`. */
export function checkProxyRequest(tessera, request, now, options = {}) {
  const r = readProxyRequest(request);
  return proxyAnswer(r, tessera.checkRequest(wasmRequestOf(r), now), options);
}

/** The proxy-filter call behind `Tessera#checkAsync` (WebCrypto checks the signature first). */
export async function checkProxyRequestAsync(tessera, request, now, options = {}) {
  const r = readProxyRequest(request);
  return proxyAnswer(r, await tessera.checkRequestAsync(wasmRequestOf(r), now), options);
}

function wasmRequestOf(r) {
  const wasmRequest = { method: r.method, scheme: r.scheme, host: r.host, path: r.path, headers: r.headers };
  if (r.sourceIp) wasmRequest.sourceIp = r.sourceIp;
  return wasmRequest;
}

function proxyAnswer(r, decision, options) {
  if (decision.allowed) {
    const set = identityHeaders(decision);
    return {
      status: 200,
      headersToUpstream: set,
      headersToRemove: headersToRemove(r.headers, set),
      responseHeaders: {},
      body: '',
      decision,
    };
  }
  return {
    status: decision.status,
    headersToUpstream: {},
    headersToRemove: [],
    responseHeaders: denialHeaders(decision, { ...options, presented: hasCredential(r.headers) }),
    body: denialBody(decision, options),
    decision,
  };
}

/**
 * Decides a standard `Request`. Resolves with `{allowed, decision, request}` (the request to
 * forward: identity headers set, credential removed) or `{allowed: false, decision, response}`
 * (a 401/403/404/503 JSON answer with `WWW-Authenticate`). Never rejects.
 */
export async function authorizeRequest(tessera, request, options = {}) {
  const { waitUntil, now, sourceIp } = options;
  if (tessera.loader) {
    if (!tessera.loaded) {
      try {
        await tessera.ready();
      } catch {
        // No bundle: the decision below fails closed (503 bundle-missing).
      }
    }
    // Also after a first load: one from a stale stored copy starts a refresh in the
    // background, which a worker cancels with the response unless it is handed to waitUntil
    // (and a refresh cancelled midway would be awaited by every later request).
    const pending = tessera.loader.maybeRefresh();
    if (pending && typeof waitUntil === 'function') waitUntil(pending);
  }
  const headers = lowerHeaders(request.headers);
  const wasmRequest = { method: request.method, url: request.url, headers };
  let decision;
  try {
    if (sourceIp !== undefined && typeof sourceIp !== 'function') {
      throw new TypeError('options.sourceIp must be a function (request) => the client address');
    }
    const ip = sourceIp?.(request);
    if (ip) wasmRequest.sourceIp = ip;
  } catch (error) {
    // The adapter failed, not the engine: denied (fail closed), with the reason.
    const why = error instanceof Error ? error.message : String(error);
    decision = { allowed: false, status: 500, reasons: ['internal-error'], explanation: `tessera: the client address could not be read (${why}): denied (fail closed)`, kind: 'http', revision: tessera.revision ?? 0 };
  }
  decision ??= await tessera.checkRequestAsync(wasmRequest, now);
  if (tessera.decisionLog && typeof waitUntil === 'function') waitUntil(tessera.decisionLog.flush());
  if (!decision.allowed) {
    return {
      allowed: false,
      decision,
      response: new Response(denialBody(decision, options), {
        status: decision.status,
        headers: denialHeaders(decision, { ...options, presented: hasCredential(headers) }),
      }),
    };
  }
  const forward = new Headers(request.headers);
  const set = identityHeaders(decision);
  for (const name of headersToRemove(headers, set)) forward.delete(name);
  for (const [name, value] of Object.entries(set)) forward.set(name, value);
  return { allowed: true, decision, request: new Request(request, { headers: forward }) };
}

/**
 * A `fetch` handler for edge workers (`export default { fetch: edgeHandler(tessera) }`):
 * denies with a JSON answer, or forwards the request with the identity headers and without the
 * credential to `options.upstream(request, env, ctx)` (default: `fetch(request)`).
 */
export function edgeHandler(tessera, options = {}) {
  const upstream = options.upstream ?? ((request) => fetch(request));
  return async (request, env, ctx) => {
    const result = await authorizeRequest(tessera, request, {
      ...options,
      waitUntil: ctx && typeof ctx.waitUntil === 'function' ? (p) => ctx.waitUntil(p) : options.waitUntil,
    });
    if (!result.allowed) return result.response;
    return upstream(result.request, env, ctx);
  };
}
