// Tokens for the benchmark, minted with examples/mint-token.mjs (the reference minter) and the
// demo keys: one per account and algorithm. `batch` makes a fresh token (new jti / iat) where the
// format has one; legacy (RS256) tokens carry no time or id, so freshness there comes from using
// distinct accounts and disabled caches.
import { mintToken } from '../../examples/mint-token.mjs';
import { nsOf, accountName, uidOf, secretOf } from '../gen-bundle.mjs';

export const ALGS = ['RS256', 'ES256', 'EdDSA', 'HS256'];
const ISSUER = { RS256: 'legacy', ES256: 'cluster', EdDSA: 'pomerium-eddsa', HS256: 'pomerium-hs256' };

export function mint(alg, i, accounts, nowSeconds, batch = 0) {
  const ns = nsOf(i, accounts);
  const name = accountName(i);
  const mini = { service_accounts: [{ namespace: ns, name, uid: uidOf(i), secrets: [secretOf(i)] }] };
  const spec = { issuer: ISSUER[alg], account: `${ns}/${name}` };
  if (alg === 'ES256') spec.jti = `b${batch}-${i}`;
  if (alg === 'EdDSA' || alg === 'HS256') spec.nbf_in = -batch; // a different iat/nbf per batch
  return mintToken(spec, new Date(nowSeconds * 1000).toISOString(), mini);
}

/** The question of account i: may it `get pods` in namespace `ns` (its own by default)? */
export function question(i, accounts, own = true) {
  return { verb: 'get', resource: 'pods', namespace: nsOf(own ? i : i + 1, accounts), account: i };
}
