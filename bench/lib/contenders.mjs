// The contenders, each doing the same work: verify a service-account token and decide
// "may it <verb> <resource> in <namespace>" against the same bundle.
//   tessera   the wasm build (target/wasm/node), Engine.can (the hot string call)
//   jose      jose.jwtVerify + the same RBAC lookup in plain JavaScript (bench/lib/lookup.mjs)
//   fast-jwt  fast-jwt's verifier (cache on for warm, off for cold) + the same lookup
//   cedar     @cedar-policy/cedar-wasm statefulIsAuthorized on the equivalent Cedar policies
//             (decision only: Cedar verifies no token; its entities are built from the lookup)
import { createRequire } from 'node:module';
import { createPublicKey } from 'node:crypto';
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { nodeSignatureVerifier } from '../../pkg/src/host-crypto.js';
import { WebCryptoSignatures, giveVerdicts, unpackCheck } from '../../pkg/src/web-crypto.js';
import { TokenHandles } from '../../pkg/src/handles.js';
import { CLUSTER_ISS, joseVerifier } from './lookup.mjs';
import { CEDAR_POLICIES } from './cedar-policies.mjs';

export { buildJsIndex, jsIdentity, jsDecide, CLUSTER_ISS } from './lookup.mjs';

const require = createRequire(import.meta.url);
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const TESSERA_JS = process.env.TESSERA_WASM_JS ?? path.join(ROOT, 'target/wasm/node/tessera.js');
const keysDir = path.join(ROOT, 'examples/keys');
const jwk = (name) => JSON.parse(readFileSync(path.join(keysDir, `${name}.public.jwk.json`), 'utf8'));
export const PUBLIC = { RS256: jwk('legacy'), ES256: jwk('cluster'), EdDSA: jwk('pomerium') };
export const SECRET = Buffer.from(readFileSync(path.join(keysDir, 'pomerium.shared-secret.txt'), 'utf8').trim(), 'base64');

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
  const check = unpackCheck(engine.signatureCheckPacked(token, now));
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

/** Forgets the token handles of `engine` (a batch of tokens never seen before registers each). */
export function resetHandles(engine) {
  handlesOf.delete(engine);
}

/** The full RBAC call (`can`: the whole decision as a JavaScript object). Returns allowed. */
export function tesseraCanFull(engine, token, q, now) {
  return engine.can(token, q.verb, q.resource, q.namespace, undefined, now).allowed === true;
}

// ---------------------------------------------------------------------------------------------
// jose (the lookup and jose's verify in bench/lib/lookup.mjs)

export async function setupJose() {
  return joseVerifier(await import('jose'), PUBLIC, SECRET);
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

export { CEDAR_POLICIES };

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
