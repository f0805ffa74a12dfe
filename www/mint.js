// Minting in the page, for the demo only: a WebCrypto ES256 key pair made in this tab, a copy of
// the bundle document with the demo public key and a new account, and a Pomerium-format token.
// This module edits documents and signs; it decides nothing (the engine does).

const enc = new TextEncoder();

/** base64url without padding, of bytes or of a string's UTF-8. */
export function b64url(data) {
  const bytes = typeof data === 'string' ? enc.encode(data) : new Uint8Array(data);
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The decoded JSON of a JWT part (header 0, claims 1), or null. For display only. */
export function jwtPart(token, index) {
  try {
    const part = token.trim().split('.')[index];
    const b64 = part.replace(/-/g, '+').replace(/_/g, '/');
    const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0))));
  } catch {
    return null;
  }
}

export const DEMO_ISSUER = 'playground-demo';

/** A demo signing key: `{privateKey, jwk, kid}`; the private key cannot leave WebCrypto. */
export async function makeDemoKey() {
  const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
  const pub = await crypto.subtle.exportKey('jwk', pair.publicKey);
  const kid = `${DEMO_ISSUER}-${crypto.randomUUID().slice(0, 8)}`;
  return {
    privateKey: pair.privateKey,
    kid,
    jwk: { kty: 'EC', kid, use: 'sig', alg: 'ES256', crv: pub.crv, x: pub.x, y: pub.y },
  };
}

/** RFC 3339 (UTC, whole seconds) of seconds since the epoch. */
export function rfc3339(seconds) {
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * A copy of `doc` with the demo key and a new account, and the revision bumped.
 * The demo key goes to the issuer named by `settings.default_issuer` (the one that takes
 * Pomerium tokens, which carry no `iss`), so the bundle's own tokens keep working; a bundle
 * without a default issuer gets a new issuer `playground-demo` as its default.
 * `account`: {namespace, name, kind: 'unique'|'impersonating', id?, impersonate?, expiresAt?}
 * Returns {doc, account (as written), issuer (its name), audience (first accepted aud, if any)}.
 */
export function withAccount(doc, key, account) {
  const next = structuredClone(doc);
  next.settings ??= {};
  next.issuers ??= [];
  let issuer = next.settings.default_issuer && next.issuers.find((i) => i && i.name === next.settings.default_issuer);
  if (!issuer) {
    issuer = next.issuers.find((i) => i && i.name === DEMO_ISSUER);
    if (!issuer) {
      issuer = { name: DEMO_ISSUER, jwks: { keys: [] } };
      next.issuers.push(issuer);
    }
    next.settings.default_issuer = DEMO_ISSUER;
  }
  issuer.jwks ??= { keys: [] };
  issuer.jwks.keys ??= [];
  if (!issuer.jwks.keys.some((k) => k && k.kid === key.kid)) issuer.jwks.keys.push(key.jwk);

  const sa = { namespace: account.namespace, name: account.name, uid: crypto.randomUUID() };
  if (account.kind === 'impersonating') {
    sa.kind = 'impersonating';
    sa.impersonate = account.impersonate;
  } else {
    sa.kind = 'unique';
    if (account.id) sa.id = account.id;
  }
  if (account.expiresAt != null) sa.expires_at = rfc3339(account.expiresAt);
  next.service_accounts = [...(next.service_accounts ?? []), sa];
  next.revision = (Number.isInteger(next.revision) ? next.revision : 0) + 1;
  return { doc: next, account: sa, issuer: issuer.name, audience: issuer.audiences?.[0] };
}

/**
 * A Pomerium service-account token for `sa` (as written in the bundle): `jti` = uid, `sub` = the
 * account's id (default `system:serviceaccount:<ns>:<name>`) or the impersonated user's id,
 * `iat` = `nbf` = now, `exp` = the account's expiry if any. ES256: WebCrypto's ECDSA signature is
 * already the JWS form (raw r || s).
 */
export async function mintToken(key, sa, { now, audience }) {
  const header = { alg: 'ES256', kid: key.kid, typ: 'JWT' };
  const sub = sa.kind === 'impersonating' ? sa.impersonate : (sa.id ?? `system:serviceaccount:${sa.namespace}:${sa.name}`);
  const claims = { jti: sa.uid, sub, iat: now, nbf: now };
  if (sa.expires_at) claims.exp = Math.floor(Date.parse(sa.expires_at) / 1000);
  if (audience) claims.aud = audience;
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  const sig = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key.privateKey, enc.encode(input));
  return `${input}.${b64url(sig)}`;
}
