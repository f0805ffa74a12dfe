// The RBAC lookup that the JavaScript contenders (jose, fast-jwt) do after verifying, written
// as their users would write it, and jose's verify as they would call it. Plain JavaScript,
// no Node API: bench/lib/contenders.mjs uses it in Node, bench/runtimes/bench.mjs in workerd
// and Chromium.

// ---------------------------------------------------------------------------------------------
// The same RBAC lookup in plain JavaScript (what a jose or fast-jwt user would write): account
// by namespace/name with its uid (and, for legacy tokens, its live secret), revoked token ids,
// the RoleBindings of the ServiceAccount subject in the asked namespace, and the rules of their
// ClusterRoles.

export function buildJsIndex(bundle) {
  const accounts = new Map();
  for (const a of bundle.service_accounts) accounts.set(`${a.namespace}/${a.name}`, a);
  const bySubject = new Map();
  for (const b of bundle.role_bindings) {
    for (const s of b.subjects) {
      if (s.kind !== 'ServiceAccount') continue;
      const key = `${s.namespace ?? b.namespace}/${s.name}`;
      let list = bySubject.get(key);
      if (!list) bySubject.set(key, (list = []));
      list.push({ namespace: b.namespace, role: b.roleRef.name, kind: b.roleRef.kind });
    }
  }
  const clusterRoles = new Map(bundle.cluster_roles.map((r) => [r.name, r.rules]));
  const revoked = new Set(bundle.revocations.map((r) => r.id));
  return { accounts, bySubject, clusterRoles, revoked };
}

/** The service account a verified payload names, or null if the bundle refuses it. */
export function jsIdentity(index, claims, alg) {
  let ns, name, uid, secret, jti;
  if (alg === 'RS256') {
    ns = claims['kubernetes.io/serviceaccount/namespace'];
    name = claims['kubernetes.io/serviceaccount/service-account.name'];
    uid = claims['kubernetes.io/serviceaccount/service-account.uid'];
    secret = claims['kubernetes.io/serviceaccount/secret.name'];
  } else if (alg === 'ES256') {
    const k = claims['kubernetes.io'];
    ns = k?.namespace;
    name = k?.serviceaccount?.name;
    uid = k?.serviceaccount?.uid;
    jti = claims.jti;
  } else {
    const m = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(claims.sub ?? '');
    if (!m) return null;
    [, ns, name] = m;
    jti = claims.jti;
    uid = jti;
  }
  const account = index.accounts.get(`${ns}/${name}`);
  if (!account || account.uid !== uid) return null;
  if (secret !== undefined && !account.secrets?.includes(secret)) return null;
  if (jti !== undefined && index.revoked.has(jti)) return null;
  return { key: `${ns}/${name}`, namespace: ns };
}

export function jsDecide(index, id, q) {
  if (!id || q.namespace !== id.namespace) return false; // accounts act in their own namespace (flat tree)
  for (const b of index.bySubject.get(id.key) ?? []) {
    if (b.namespace !== q.namespace) continue;
    const rules = b.kind === 'ClusterRole' ? index.clusterRoles.get(b.role) : undefined;
    for (const r of rules ?? []) {
      if ((r.verbs.includes(q.verb) || r.verbs.includes('*')) && r.apiGroups.includes('') &&
          (r.resources.includes(q.resource) || r.resources.includes('*'))) return true;
    }
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// jose

/** The Kubernetes cluster issuer's `iss` and audience in the benchmark bundle. */
export const CLUSTER_ISS = 'https://kubernetes.default.svc.cluster.local';
/** The algorithms' verify options (issuer, audience) as the bundle's issuers set them. */
const JOSE_OPTIONS = {
  RS256: { algorithms: ['RS256'], issuer: 'kubernetes/serviceaccount' },
  ES256: { algorithms: ['ES256'], issuer: CLUSTER_ISS, audience: CLUSTER_ISS },
  EdDSA: { algorithms: ['EdDSA'] },
  HS256: { algorithms: ['HS256'] },
};

/**
 * jose's `jwtVerify` with the keys imported once: `publicJwks` by algorithm (RS256, ES256,
 * EdDSA), `secret` the HS256 key's bytes, imported as a WebCrypto HMAC key (given the bytes,
 * jose would import them again for every token). `verify(token, alg)` resolves with the
 * payload, or null when jose refuses the token. `algs`: the algorithms to import keys for.
 */
export async function joseVerifier(jose, publicJwks, secret, algs = ['RS256', 'ES256', 'EdDSA', 'HS256']) {
  const keys = {};
  for (const alg of algs.filter((a) => a !== 'HS256')) keys[alg] = await jose.importJWK(publicJwks[alg], alg);
  if (algs.includes('HS256')) keys.HS256 = await globalThis.crypto.subtle.importKey('raw', new Uint8Array(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
  return {
    async verify(token, alg) {
      try {
        return (await jose.jwtVerify(token, keys[alg], JOSE_OPTIONS[alg])).payload;
      } catch {
        return null;
      }
    },
  };
}
