// Signs a bundle with the DEMO bundle-signing key: writes `<bundle>.sig`, a compact JWS with a
// detached payload (RFC 7515 Appendix F) over the bundle file's exact bytes. See docs/bundle.md.
//
//   node examples/sign-bundle.mjs [examples/bundle.json]          sign
//   node examples/sign-bundle.mjs --verify [examples/bundle.json] check the existing .sig
//
// The signing input is ASCII(b64url(header) || '.' || b64url(bundle bytes)); the .sig file
// holds `b64url(header)..b64url(signature)` (the payload part left empty) and a newline.
import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';

const args = process.argv.slice(2);
const check = args.includes('--verify');
const file = args.find((a) => !a.startsWith('--')) ?? new URL('./bundle.json', import.meta.url).pathname;
const keyFile = (name) => JSON.parse(readFileSync(new URL(`./keys/${name}`, import.meta.url), 'utf8'));
const b64url = (buf) => Buffer.from(buf).toString('base64url');

const bytes = readFileSync(file);
if (check) {
  const jwk = keyFile('bundle-signing.public.jwk.json');
  const [h, p, s, ...rest] = readFileSync(`${file}.sig`, 'utf8').trim().split('.');
  const header = JSON.parse(Buffer.from(h, 'base64url'));
  if (p !== '' || rest.length || header.alg !== 'ES256' || header.kid !== jwk.kid) {
    throw new Error(`${file}.sig: not a detached ES256 JWS by ${jwk.kid}`);
  }
  const ok = verify('sha256', Buffer.from(`${h}.${b64url(bytes)}`),
    { key: createPublicKey({ key: jwk, format: 'jwk' }), dsaEncoding: 'ieee-p1363' },
    Buffer.from(s, 'base64url'));
  console.log(ok ? `${file}.sig: good signature by ${jwk.kid}` : `${file}.sig: BAD signature`);
  process.exit(ok ? 0 : 1);
}
const jwk = keyFile('bundle-signing.private.jwk.json');
const header = b64url(JSON.stringify({ alg: 'ES256', kid: jwk.kid }));
const signature = sign('sha256', Buffer.from(`${header}.${b64url(bytes)}`),
  { key: createPrivateKey({ key: jwk, format: 'jwk' }), dsaEncoding: 'ieee-p1363' });
writeFileSync(`${file}.sig`, `${header}..${b64url(signature)}\n`);
console.log(`wrote ${file}.sig (ES256, kid ${jwk.kid})`);
