// Second half of the CLI demo: the requests the `tessera` CLI decided (WORKDIR/cases.jsonl,
// written by examples/cli-demo.sh) decided again by the WebAssembly engine in Node, loading
// the CLI-built signed bundle against its pinned key; prints both side by side.
// Usage: node examples/cli-demo-wasm.mjs WORKDIR
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const root = new URL('../', import.meta.url);
const { Engine } = require(new URL('target/wasm/node/tessera.js', root).pathname);
const work = process.argv[2];
if (!work) {
  console.error('usage: node examples/cli-demo-wasm.mjs WORKDIR');
  process.exit(2);
}
const read = (name) => readFileSync(join(work, name), 'utf8');
const now = () => Math.floor(Date.now() / 1000);

const engine = Engine.fromSigned(read('bundle.json'), read('bundle.json.sig'), read('bundle-signing.jwk.json'), now());
const cases = read('cases.jsonl').trim().split('\n').map((line) => JSON.parse(line));

// Both sides reduced to what must agree: allowed, status, reasons (and the user for whoami).
function native(c) {
  if (c.request.kind === 'whoami') {
    const s = c.native.status;
    return { allowed: s.authenticated, status: s.authenticated ? 200 : 401, reasons: [s.authenticated ? s.user.username : c.native.reason] };
  }
  return { allowed: c.native.allowed, status: c.native.status, reasons: c.native.reasons };
}

function wasm(c) {
  const r = c.request;
  if (r.kind === 'whoami') {
    const review = engine.verify(c.token, now());
    return { allowed: review.authenticated, status: review.authenticated ? 200 : 401, reasons: [review.authenticated ? review.user.username : review.reason] };
  }
  if (r.kind === 'http') return engine.checkHttp(r.method, r.url, c.token ? `Bearer ${c.token}` : undefined, undefined, now());
  return engine.can(c.token, r.verb, r.resource, r.namespace, undefined, now());
}

const pad = (s, n) => String(s).padEnd(n);
const show = (d) => `${d.allowed ? 'yes' : 'no '} ${d.status}`;
const cut = (s, n) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
console.log(`\nThe CLI's bundle (revision ${engine.revision}), decided by the native CLI and by the wasm engine in Node ${process.version}:\n`);
console.log(`${pad('#', 4)}${pad('native', 9)}${pad('wasm', 9)}${pad('agree', 7)}${pad('reasons', 40)}request`);
let disagreements = 0;
cases.forEach((c, i) => {
  const n = native(c);
  const w = wasm(c);
  const agree = n.allowed === w.allowed && n.status === w.status && JSON.stringify(n.reasons) === JSON.stringify(w.reasons);
  if (!agree) {
    disagreements++;
    console.error(`disagreement on "${c.name}": native ${JSON.stringify(n)} wasm ${JSON.stringify(w)}`);
  }
  console.log(`${pad(i + 1, 4)}${pad(show(n), 9)}${pad(show(w), 9)}${pad(agree ? 'yes' : 'NO', 7)}${pad(cut((w.reasons ?? []).join(','), 38), 40)}${c.name}`);
});
console.log(`\n${cases.length} CLI decisions, ${cases.length - disagreements} agree, ${disagreements} disagree.`);
process.exit(disagreements === 0 ? 0 : 1);
