// `tessera/node`: a small HTTP authorization service in Node that speaks Envoy's ext_authz HTTP
// contract (and nginx's auth_request): the original request's headers in; 200 with the headers
// for the upstream, or the denial (status, JSON body, WWW-Authenticate) out. It takes a Tessera
// (from 'tessera') and only adapts: the decision is the wasm's.
import { createServer } from 'node:http';

function first(value) {
  return Array.isArray(value) ? value[0] : value;
}

/** The forwarding headers a proxy may set for the original request, by what each carries. */
const FORWARDED = Object.freeze({
  method: ['x-original-method', 'x-forwarded-method'],
  uri: ['x-original-uri', 'x-forwarded-uri'],
  host: ['x-forwarded-host'],
  proto: ['x-forwarded-proto'],
});
const FORWARDED_NAMES = Object.values(FORWARDED).flat();

/** The 500 answer of a bug in this adapter (the request is denied). */
const INTERNAL_ERROR = Object.freeze({
  status: 500,
  headersToUpstream: {},
  headersToRemove: [],
  responseHeaders: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  body: JSON.stringify({ status: 500, reasons: ['internal-error'] }),
});

/**
 * The request handler `(req, res)` of the service. The original request is the check request
 * itself (its method, its path less `pathPrefix`, its `host`, scheme `https`), except where
 * `trustedHeaders` names the forwarding headers your proxy sets: `x-original-method` or
 * `x-forwarded-method`, `x-original-uri` or `x-forwarded-uri`, `x-forwarded-host`,
 * `x-forwarded-proto`. Name only those the proxy always sets, overwriting what a client sent:
 * a client can send any header, and one the proxy passes through would choose the path or
 * host decided on. The others are never read. Bind the service to loopback or a private
 * network.
 */
export function extAuthzHandler(tessera, options = {}) {
  const prefix = options.pathPrefix ?? '';
  const names = options.trustedHeaders ?? [];
  if (!Array.isArray(names)) {
    throw new TypeError(`trustedHeaders: expected an array of header names, got ${typeof names}`);
  }
  const trusted = new Set(names.map((name) => String(name).toLowerCase()));
  for (const name of trusted) {
    if (!FORWARDED_NAMES.includes(name)) {
      throw new TypeError(`trustedHeaders: ${JSON.stringify(name)} is not a forwarding header tessera reads (expected some of ${FORWARDED_NAMES.join(', ')})`);
    }
  }
  // One name per piece: with both trusted, a client could send the one the proxy does not set.
  for (const [what, names] of Object.entries(FORWARDED)) {
    const both = names.filter((name) => trusted.has(name));
    if (both.length > 1) {
      throw new TypeError(`trustedHeaders: ${both.join(' and ')} both carry the ${what}; name only the one your proxy sets`);
    }
  }
  const forwarded = (h, what) => {
    for (const name of FORWARDED[what]) if (trusted.has(name) && h[name] !== undefined) return first(h[name]);
    return undefined;
  };
  return async (req, res) => {
    let answer;
    try {
      if (tessera.loader) {
        if (!tessera.loaded) await tessera.ready().catch(() => {});
        else tessera.loader.maybeRefresh();
      }
      const h = req.headers;
      let path = forwarded(h, 'uri');
      if (path === undefined) {
        path = req.url ?? '/';
        if (prefix && path.startsWith(prefix)) path = path.slice(prefix.length) || '/';
      }
      const headers = {};
      for (const [name, value] of Object.entries(h)) {
        if (!FORWARDED_NAMES.includes(name) && name !== 'content-length') headers[name] = value;
      }
      answer = tessera.check({
        method: forwarded(h, 'method') ?? req.method,
        host: forwarded(h, 'host') ?? first(h.host) ?? '',
        path,
        scheme: forwarded(h, 'proto') ?? 'https',
        headers,
        ...(typeof options.sourceIp === 'function' ? { sourceIp: options.sourceIp(req) } : {}),
      });
    } catch {
      // Only a bug in this adapter lands here: deny.
      answer = INTERNAL_ERROR;
    }
    req.resume();
    try {
      respond(res, answer);
    } catch {
      // A header value Node refuses: deny rather than crash the service.
      if (!res.headersSent) respond(res, INTERNAL_ERROR);
      else res.destroy();
    }
  };
}

function respond(res, answer) {
  if (answer.status === 200) {
    const out = { ...answer.headersToUpstream };
    if (answer.headersToRemove.length) out['x-envoy-auth-headers-to-remove'] = answer.headersToRemove.join(',');
    if (answer.decision?.decisionId) out['x-tessera-decision-id'] = answer.decision.decisionId;
    res.writeHead(200, out);
    res.end();
    return;
  }
  res.writeHead(answer.status, answer.responseHeaders);
  res.end(answer.body);
}

/** An http.Server running `extAuthzHandler` (call `.listen(port, '127.0.0.1')`). */
export function createExtAuthzServer(tessera, options = {}) {
  return createServer(extAuthzHandler(tessera, options));
}
