// An edge Worker that puts tessera in front of an origin: it verifies the caller's
// service-account token, decides with the bundle's route policies, and either answers 401/403
// itself or forwards the request to UPSTREAM_URL with x-tessera-user / -groups / -namespace
// and without the credential. The signed bundle is fetched from BUNDLE_URL, checked against the
// pinned TRUSTED_KEYS, refreshed in the background, and kept in the Cache API so that a fresh
// isolate starts without a network round trip. Decisions are logged to LOG_URL, if set.
import { Tessera, edgeHandler, cacheApiStorage } from 'tessera';

let handler = null; // one per isolate

function setup(env) {
  const tessera = new Tessera({
    bundleUrl: env.BUNDLE_URL,
    trustedKeys: env.TRUSTED_KEYS,
    refreshInterval: Number(env.REFRESH_SECONDS ?? 60),
    expiryGrace: Number(env.EXPIRY_GRACE_SECONDS ?? 0),
    storage: cacheApiStorage(caches.default),
    onError: (error) => console.warn(`tessera: ${error.message}`),
    decisionLog: env.LOG_URL
      ? { sink: (records) => fetch(env.LOG_URL, { method: 'POST', body: JSON.stringify(records), headers: { 'content-type': 'application/json' } }) }
      : undefined,
  });
  return edgeHandler(tessera, {
    upstream: (request) => {
      // The upstream's URL with the request's path and query set on it. Not
      // `new URL(path, base)`: a path like `//other.example/x` would be read as a host there,
      // and the request forwarded to it.
      const url = new URL(request.url);
      const target = new URL(env.UPSTREAM_URL);
      target.pathname = url.pathname;
      target.search = url.search;
      return fetch(new Request(target, request));
    },
  });
}

export default {
  async fetch(request, env, ctx) {
    handler ??= setup(env);
    return handler(request, env, ctx);
  },
};
