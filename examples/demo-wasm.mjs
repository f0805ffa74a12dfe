// Second half of the demo: decides every request of target/demo/decisions.json (written by
// `cargo run --example demo`) again in the wasm build, in Node, and prints both side by side.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const root = new URL('../', import.meta.url);
const { Engine } = require(new URL('target/wasm/node/tessera.js', root).pathname);
const read = (p) => readFileSync(new URL(p, root), 'utf8');

const cases = JSON.parse(read('target/demo/decisions.json'));
const engine = Engine.fromSigned(read('examples/bundle.json'), read('examples/bundle.json.sig'), read('examples/keys/bundle-signing.public.jwk.json'), cases[0].now);

function decide(c) {
  const r = c.request;
  const token = c.token ?? '';
  if (r.kind === 'whoami') {
    const review = engine.verify(token, c.now);
    return { allowed: review.authenticated, status: review.authenticated ? 200 : 401, reasons: [review.authenticated ? 'authenticated' : review.reason] };
  }
  if (r.kind === 'http') return engine.checkHttp(r.method, r.url, c.token ? `Bearer ${c.token}` : undefined, undefined, c.now);
  const { kind, ...attributes } = r;
  return engine.authorize(token, attributes, c.now);
}

const pad = (s, n) => String(s).padEnd(n);
const show = (d) => `${d.allowed ? 'yes' : 'no '} ${d.status}`;
console.log(`\nThe same requests, decided natively (Rust) and in WebAssembly (Node ${process.version}):\n`);
console.log(`${pad('#', 4)}${pad('native', 9)}${pad('wasm', 9)}${pad('agree', 7)}${pad('reasons', 34)}case`);
let disagreements = 0;
cases.forEach((c, i) => {
  const w = decide(c);
  const agree = w.allowed === c.native.allowed && w.status === c.native.status && JSON.stringify(w.reasons) === JSON.stringify(c.native.reasons);
  if (!agree) disagreements++;
  const reasons = (w.reasons ?? []).join(',');
  console.log(`${pad(i + 1, 4)}${pad(show(c.native), 9)}${pad(show(w), 9)}${pad(agree ? 'yes' : 'NO', 7)}${pad(reasons.length > 32 ? `${reasons.slice(0, 31)}…` : reasons, 34)}${c.name}`);
});
console.log(`\n${cases.length} decisions, ${cases.length - disagreements} agree, ${disagreements} disagree.`);
process.exit(disagreements === 0 ? 0 : 1);
