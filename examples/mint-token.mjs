// Reference minter for the `token` objects of examples/scenarios.json (format: examples/README.md).
// Test drivers in JavaScript import it; drivers in other languages implement the same rules.
//
//   import { mintToken } from './mint-token.mjs';
//   const jwt = mintToken(scenario.token, scenario.now, bundle);
//
//   node examples/mint-token.mjs '<token spec JSON>' [now]   prints a token (DEMO keys only)
import { createHmac, createPrivateKey, randomUUID, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';

const keyFile = (name) => readFileSync(new URL(`./keys/${name}`, import.meta.url), 'utf8');
const b64url = (v) => (Buffer.isBuffer(v) ? v : Buffer.from(JSON.stringify(v))).toString('base64url');

/** The issuers of the scenario format: signing key, header and fixed claims. */
export const ISSUERS = {
  cluster: { jwk: 'cluster.private.jwk.json', alg: 'ES256' },
  legacy: { jwk: 'legacy.private.jwk.json', alg: 'RS256' },
  'pomerium-eddsa': { jwk: 'pomerium.private.jwk.json', alg: 'EdDSA' },
  'pomerium-hs256': { secret: 'pomerium.shared-secret.txt', alg: 'HS256' },
};

const CLUSTER_ISS = 'https://kubernetes.default.svc.cluster.local';

/** The claims of a token spec at `now` (RFC 3339), before signing. */
export function tokenClaims(spec, now, bundle) {
  const [namespace, name] = spec.account.split('/');
  const account = bundle.service_accounts.find((a) => a.namespace === namespace && a.name === name);
  if (!account) throw new Error(`token.account ${spec.account}: no such service account in the bundle`);
  const t = Math.floor(Date.parse(now) / 1000);
  const username = `system:serviceaccount:${namespace}:${name}`;
  let nbf = t + (spec.nbf_in ?? 0);
  const exp = spec.exp_in === null ? undefined : t + (spec.exp_in ?? 3600);
  if (exp !== undefined && exp <= nbf) nbf = exp - 3600; // an expired token was issued an hour before it expired
  const times = { iat: nbf, nbf, ...(exp === undefined ? {} : { exp }) };
  let claims;
  switch (spec.issuer) {
    case 'legacy':
      claims = {
        iss: 'kubernetes/serviceaccount',
        'kubernetes.io/serviceaccount/namespace': namespace,
        'kubernetes.io/serviceaccount/secret.name': spec.secret ?? account.secrets?.[0],
        'kubernetes.io/serviceaccount/service-account.name': name,
        'kubernetes.io/serviceaccount/service-account.uid': account.uid,
        sub: username,
      };
      if (!claims['kubernetes.io/serviceaccount/secret.name']) {
        throw new Error(`token.secret: ${spec.account} lists no secret, give one`);
      }
      break;
    case 'cluster':
      claims = {
        aud: spec.aud ?? [CLUSTER_ISS],
        ...times,
        iss: CLUSTER_ISS,
        jti: spec.jti ?? randomUUID(),
        'kubernetes.io': { namespace, serviceaccount: { name, uid: account.uid } },
        sub: username,
      };
      break;
    case 'pomerium-eddsa':
    case 'pomerium-hs256': {
      const sub = account.kind === 'impersonating' ? account.impersonate : (account.id ?? username);
      claims = { jti: spec.jti ?? account.uid, sub, ...times };
      if (spec.aud !== undefined) claims.aud = spec.aud;
      break;
    }
    default:
      throw new Error(`token.issuer ${JSON.stringify(spec.issuer)}: expected one of ${Object.keys(ISSUERS).join(', ')}`);
  }
  for (const [k, v] of Object.entries(spec.claims ?? {})) {
    if (v === null) delete claims[k];
    else claims[k] = v;
  }
  return claims;
}

/** A signed compact JWS for a token spec, or null for `"token": null`. */
export function mintToken(spec, now, bundle) {
  if (spec === null) return null;
  const claims = tokenClaims(spec, now, bundle);
  const issuer = ISSUERS[spec.issuer];
  const header = { alg: issuer.alg, typ: 'JWT' };
  let key;
  if (issuer.jwk) {
    const jwk = JSON.parse(keyFile(issuer.jwk));
    header.kid = jwk.kid;
    key = createPrivateKey({ key: jwk, format: 'jwk' });
  }
  const input = `${b64url(header)}.${b64url(claims)}`;
  let signature;
  if (issuer.secret) {
    signature = createHmac('sha256', Buffer.from(keyFile(issuer.secret).trim(), 'base64')).update(input).digest();
  } else if (issuer.alg === 'EdDSA') {
    signature = sign(null, Buffer.from(input), key);
  } else {
    signature = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  }
  return `${input}.${b64url(signature)}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const bundle = JSON.parse(readFileSync(new URL('./bundle.json', import.meta.url), 'utf8'));
  const spec = JSON.parse(process.argv[2] ?? 'null');
  console.log(mintToken(spec, process.argv[3] ?? new Date().toISOString(), bundle));
}
