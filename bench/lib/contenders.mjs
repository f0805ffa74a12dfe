// The contenders, each doing the same work: verify a service-account token and decide
// "may it <verb> <resource> in <namespace>" against the same bundle.
//   tessera   the wasm build (target/wasm/node), Engine.can (the hot string call)
//   jose      jose.jwtVerify + the same RBAC lookup in plain JavaScript (jsRbac below)
//   fast-jwt  fast-jwt's verifier (cache on for warm, off for cold) + the same lookup
//   cedar     @cedar-policy/cedar-wasm statefulIsAuthorized on the equivalent Cedar policies
//             (decision only: Cedar verifies no token; its entities are built from the lookup)
import { createRequire } from 'node:module';
import { createPublicKey } from 'node:crypto';
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { nodeSignatureVerifier } from '../../pkg/src/host-crypto.js';
import { WebCryptoSignatures, giveVerdicts } from '../../pkg/src/web-crypto.js';
import { TokenHandles } from '../../pkg/src/handles.js';

const require = createRequire(import.meta.url);
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const TESSERA_JS = process.env.TESSERA_WASM_JS ?? path.join(ROOT, 'target/wasm/node/tessera.js');
const keysDir = path.join(ROOT, 'examples/keys');
const jwk = (name) => JSON.parse(readFileSync(path.join(keysDir, `${name}.public.jwk.json`), 'utf8'));
export const PUBLIC = { RS256: jwk('legacy'), ES256: jwk('cluster'), EdDSA: jwk('pomerium') };
export const SECRET = Buffer.from(readFileSync(path.join(keysDir, 'pomerium.shared-secret.txt'), 'utf8').trim(), 'base64');
export const CLUSTER_ISS = 'https://kubernetes.default.svc.cluster.local';

// ---------------------------------------------------------------------------------------------
// tessera

let wasmExports = null;

/** Loads the nodejs build. The glue keeps its instance private, so the constructor is wrapped
 * for the duration of the require to keep a handle on the instance's memory. */
export function loadTessera() {
  if (!existsSync(TESSERA_JS)) throw new Error(`${TESSERA_JS} missing: run scripts/build-wasm.sh`);
  const Original = WebAssembly.Instance;
  WebAssembly.Instance = function Instance(module, imports) {
    const instance = new Original(module, imports);
    wasmExports = instance.exports;
    return instance;
  };
  try {
    const tessera = require(TESSERA_JS);
    // As the npm package's Node entry does: node:crypto does the RSA/ECDSA/EdDSA signature
    // math, the engine everything else (TESSERA_HOST_CRYPTO=0 measures the module's own signature code).
    // As the package's engine.js composes them: a verdict WebCrypto gave ahead for exactly these
    // bytes (the async contender, see tesseraCanAsync), else node:crypto, else the module's own code.
    const sync = process.env.TESSERA_HOST_CRYPTO !== '0' ? nodeSignatureVerifier() : null;
    tessera.setSignatureVerifier((alg, jwk, message, signature) => {
      const verdict = webSignatures.verdict(alg, jwk, message, signature);
      if (verdict !== undefined) return verdict;
      return sync === null ? undefined : sync(alg, jwk, message, signature);
    });
    return tessera;
  } finally {
    WebAssembly.Instance = Original;
  }
}

/** Bytes of tessera's wasm linear memory (it only grows). */
export function tesseraWasmMemoryBytes() {
  return wasmExports?.memory ? wasmExports.memory.buffer.byteLength : null;
}

const handlesOf = new WeakMap();
const webSignatures = new WebCryptoSignatures();

/** The hot RBAC call as the package's `Tessera.canStatusAsync` makes it in workers and
 * browsers: the engine's signature check verified with WebCrypto (Node's `crypto.subtle`
 * here), the verdicts given back to the engine and held, then the synchronous call. Resolves
 * with allowed. */
export async function tesseraCanAsync(engine, token, q, now) {
  const check = engine.signatureCheck(token, now);
  const verdicts = check ? await webSignatures.verify(check) : null;
  if (check) giveVerdicts(engine, check, verdicts);
  return webSignatures.with(verdicts, () => tesseraCan(engine, token, q, now));
}

/** The hot RBAC call as the npm package makes it (`Tessera.canStatus`: the status alone, no
 * object built, a token seen before passed to the module as a registered handle). Returns
 * allowed. */
export function tesseraCan(engine, token, q, now) {
  let handles = handlesOf.get(engine);
  if (!handles) handlesOf.set(engine, (handles = new TokenHandles(engine)));
  return handles.canStatus(token, q.verb, q.resource, q.namespace, undefined, now) === 200;
}

/** The full RBAC call (`can`: the whole decision as a JavaScript object). Returns allowed. */
export function tesseraCanFull(engine, token, q, now) {
  return engine.can(token, q.verb, q.resource, q.namespace, undefined, now).allowed === true;
}

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

export async function setupJose() {
  const jose = await import('jose');
  const keys = {};
  for (const alg of ['RS256', 'ES256', 'EdDSA']) keys[alg] = await jose.importJWK(PUBLIC[alg], alg);
  keys.HS256 = new Uint8Array(SECRET);
  const options = {
    RS256: { algorithms: ['RS256'], issuer: 'kubernetes/serviceaccount' },
    ES256: { algorithms: ['ES256'], issuer: CLUSTER_ISS, audience: CLUSTER_ISS },
    EdDSA: { algorithms: ['EdDSA'] },
    HS256: { algorithms: ['HS256'] },
  };
  return {
    jose,
    async verify(token, alg) {
      try {
        return (await jose.jwtVerify(token, keys[alg], options[alg])).payload;
      } catch {
        return null;
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// fast-jwt

export async function setupFastJwt() {
  const { createVerifier } = await import('fast-jwt');
  const pem = (alg) => createPublicKey({ key: PUBLIC[alg], format: 'jwk' }).export({ type: 'spki', format: 'pem' });
  const make = (cache) => {
    const v = {};
    v.RS256 = createVerifier({ key: pem('RS256'), algorithms: ['RS256'], allowedIss: 'kubernetes/serviceaccount', cache });
    v.ES256 = createVerifier({ key: pem('ES256'), algorithms: ['ES256'], allowedIss: CLUSTER_ISS, allowedAud: CLUSTER_ISS, cache });
    v.EdDSA = createVerifier({ key: pem('EdDSA'), algorithms: ['EdDSA'], cache });
    v.HS256 = createVerifier({ key: SECRET, algorithms: ['HS256'], cache });
    return v;
  };
  const cached = make(true);
  const uncached = make(false);
  const call = (set) => (token, alg) => {
    try {
      return set[alg](token);
    } catch {
      return null;
    }
  };
  return { verifyCached: call(cached), verifyUncached: call(uncached) };
}

// ---------------------------------------------------------------------------------------------
// cedar: RBAC as Cedar. A RoleBinding of ClusterRole R in namespace N to account A becomes the
// membership of ServiceAccount A in Grant "N/R"; a Pod in N carries attribute `podReaders` =
// Grant "N/pod-reader" (built from the request's namespace, as an API server's authorizer would).

export const CEDAR_POLICIES = `
permit(principal, action in [Action::"get", Action::"list", Action::"watch"], resource is Pod)
  when { principal in resource.podReaders };
permit(principal, action in [Action::"get", Action::"list", Action::"watch"], resource is ConfigMap)
  when { principal in resource.configReaders };
permit(principal, action, resource is Deployment)
  when { principal in resource.deployers };
`;

export async function setupCedar() {
  const cedar = await import('@cedar-policy/cedar-wasm/nodejs');
  const r = cedar.preparsePolicySet('rbac', { staticPolicies: CEDAR_POLICIES });
  if (r.type !== 'success') throw new Error(`cedar: ${JSON.stringify(r)}`);
  return {
    cedar,
    version: cedar.getCedarVersion(),
    /** The request of account `id` (from the lookup) for question q, prebuilt. */
    call(index, id, q) {
      const principal = { type: 'ServiceAccount', id: `system:serviceaccount:${id.key.replace('/', ':')}` };
      const parents = (index.bySubject.get(id.key) ?? []).map((b) => ({ type: 'Grant', id: `${b.namespace}/${b.role}` }));
      const resource = { type: 'Pod', id: `${q.namespace}/${q.resource}` };
      return {
        principal,
        action: { type: 'Action', id: q.verb },
        resource,
        context: {},
        preparsedPolicySetId: 'rbac',
        entities: [
          { uid: principal, attrs: {}, parents },
          { uid: resource, attrs: { podReaders: { __entity: { type: 'Grant', id: `${q.namespace}/pod-reader` } } }, parents: [] },
        ],
      };
    },
    decide(call) {
      const a = cedar.statefulIsAuthorized(call);
      if (a.type !== 'success') throw new Error(`cedar: ${JSON.stringify(a.errors)}`);
      return a.response.decision === 'allow';
    },
  };
}
