// Generates the DEMO keys of examples/: never use them for anything real.
//
//   node examples/keys/generate.mjs           writes the keys that are missing
//   node examples/keys/generate.mjs --force   replaces all of them
//
// Every key is written twice: `<name>.private.jwk.json` (with `d`) and
// `<name>.public.jwk.json` (without). The public JWKs are copied by hand into
// `issuers[].jwks.keys` of examples/bundle.json; tests/js/schema.test.mjs checks that the
// copies still match. After `--force` the bundle, its signature and every token minted from
// the old keys are stale: update the bundle's keys and run examples/sign-bundle.mjs.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';

const dir = new URL('./', import.meta.url);
const force = process.argv.includes('--force');

const keys = [
  // Signs Kubernetes bound (projected) tokens, iss https://kubernetes.default.svc.cluster.local.
  { name: 'cluster', kid: 'cluster-2026', alg: 'ES256', type: 'ec', options: { namedCurve: 'P-256' } },
  // Signs Kubernetes legacy (secret-based) tokens, iss kubernetes/serviceaccount.
  { name: 'legacy', kid: 'legacy-2026', alg: 'RS256', type: 'rsa', options: { modulusLength: 2048 } },
  // Signs Pomerium service-account tokens (no iss).
  { name: 'pomerium', kid: 'pomerium-2026', alg: 'EdDSA', type: 'ed25519', options: {} },
  // Signs bundles (the detached JWS in bundle.json.sig); consumers pin the public half.
  { name: 'bundle-signing', kid: 'bundle-2026', alg: 'ES256', type: 'ec', options: { namedCurve: 'P-256' } },
];

function write(file, text) {
  const url = new URL(file, dir);
  if (existsSync(url) && !force) {
    console.log(`kept    ${file} (exists; --force replaces it)`);
    return false;
  }
  writeFileSync(url, text);
  console.log(`wrote   ${file}`);
  return true;
}

for (const k of keys) {
  if (existsSync(new URL(`${k.name}.private.jwk.json`, dir)) && !force) {
    console.log(`kept    ${k.name}.*.jwk.json (exists; --force replaces it)`);
    continue;
  }
  const { privateKey } = generateKeyPairSync(k.type, k.options);
  const jwk = privateKey.export({ format: 'jwk' });
  // RFC 7517 members in a readable order: kty, kid, use, alg, then the key's own.
  const head = { kty: jwk.kty, kid: k.kid, use: 'sig', alg: k.alg };
  const pick = (names) => Object.fromEntries(names.filter((n) => jwk[n] !== undefined).map((n) => [n, jwk[n]]));
  const pub = { ...head, ...pick(['crv', 'x', 'y', 'n', 'e']) };
  const priv = { ...pub, ...pick(['d', 'p', 'q', 'dp', 'dq', 'qi']) };
  write(`${k.name}.private.jwk.json`, JSON.stringify(priv, null, 2) + '\n');
  write(`${k.name}.public.jwk.json`, JSON.stringify(pub, null, 2) + '\n');
}

// Pomerium's HS256 shared secret: 32 random bytes, standard base64 (what the bundle's
// issuers[].shared_secret holds).
write('pomerium.shared-secret.txt', randomBytes(32).toString('base64') + '\n');
