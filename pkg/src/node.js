// `tessera/node`: a small HTTP authorization service in Node that speaks Envoy's ext_authz HTTP
// contract (and nginx's auth_request): the original request's headers in; 200 with the headers
// for the upstream, or the denial (status, JSON body, WWW-Authenticate) out. It takes a Tessera
// (from 'tessera') and only adapts: the decision is the wasm's.
import { createServer } from 'node:http';

function first(value) {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The request handler `(req, res)` of the service. Where the original request is read from:
 *   method: `x-forwarded-method` / `x-original-method`, else the check request's own method;
 *   path:   `x-forwarded-uri` / `x-original-uri`, else the check request's path less `pathPrefix`;
 *   host:   `x-forwarded-host`, else `host`;  scheme: `x-forwarded-proto`, else `https`.
 * Trust these headers only from your proxy: bind the service to loopback or a private network.
 */
export function extAuthzHandler(tessera, options = {}) {
  const prefix = options.pathPrefix ?? '';
  return async (req, res) => {
    let answer;
    try {
      if (tessera.loader) {
        if (!tessera.loaded) await tessera.ready().catch(() => {});
        else tessera.loader.maybeRefresh();
      }
      const h = req.headers;
      let path = first(h['x-forwarded-uri']) ?? first(h['x-original-uri']);
      if (path === undefined) {
        path = req.url ?? '/';
        if (prefix && path.startsWith(prefix)) path = path.slice(prefix.length) || '/';
      }
      const headers = {};
      for (const [name, value] of Object.entries(h)) {
        if (!['x-forwarded-uri', 'x-original-uri', 'x-forwarded-method', 'x-original-method', 'content-length'].includes(name)) headers[name] = value;
      }
      answer = tessera.check({
        method: first(h['x-forwarded-method']) ?? first(h['x-original-method']) ?? req.method,
        host: first(h['x-forwarded-host']) ?? first(h.host) ?? '',
        path,
        scheme: first(h['x-forwarded-proto']) ?? 'https',
        headers,
        ...(typeof options.sourceIp === 'function' ? { sourceIp: options.sourceIp(req) } : {}),
      });
    } catch (error) {
      // Only a bug in this adapter lands here: deny.
      answer = {
        status: 500,
        headersToUpstream: {},
        headersToRemove: [],
        responseHeaders: { 'content-type': 'application/json', 'cache-control': 'no-store' },
        body: JSON.stringify({ status: 500, reasons: ['internal-error'] }),
      };
    }
    req.resume();
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
  };
}

/** An http.Server running `extAuthzHandler` (call `.listen(port, '127.0.0.1')`). */
export function createExtAuthzServer(tessera, options = {}) {
  return createServer(extAuthzHandler(tessera, options));
}
