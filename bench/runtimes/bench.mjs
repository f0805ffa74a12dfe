// The worker/browser path where it runs: tessera's `Tessera.canStatusAsync` (the package's
// workerd or browser entry: WebCrypto checks the signature, the engine decides) against
// `jose.jwtVerify` + the same lookup in plain JavaScript, on the same tokens and questions;
// and tessera's synchronous `canStatus`, whose signature math is the module's own there.
// Runtime-neutral: bench/runtimes/worker.mjs serves it in workerd, bench/runtimes/page.html
// in Chromium; bench/runtimes.mjs drives both and times the batches from outside (workerd's
// clocks do not move while a request computes).
import { Engine, Tessera, WebCryptoSignatures, unpackCheck } from 'tessera';
import * as jose from 'jose';
import { buildJsIndex, jsDecide, jsIdentity, joseVerifier } from '../lib/lookup.mjs';

let state = null;

const bytesOfBase64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

/**
 * Loads the bundle (JSON text) into tessera, whose caches are off so that every call verifies
 * its token, and into the lookup's index; imports jose's keys (`publicJwks` by algorithm,
 * `secret` the HS256 key in base64). `work` holds each algorithm's questions
 * (`{token, verb, resource, namespace}`), answered at `now` (seconds).
 */
export async function setup({ bundle, publicJwks, secret, now, work }) {
  const tessera = new Tessera({ allowUnsigned: true, cacheCapacity: 0 });
  tessera.load(bundle, undefined, { now });
  const index = buildJsIndex(JSON.parse(bundle));
  const verifier = await joseVerifier(jose, publicJwks, bytesOfBase64(secret));
  state = { tessera, index, verifier, now, work };
  return { revision: tessera.revision, webCrypto: await webCryptoAnswers(bundle, now, work) };
}

/**
 * Whether WebCrypto verifies each public-key algorithm's first token here, as the *Async
 * methods ask it: if it did not (a failed self-test, a key it cannot import), they would fall
 * back to the module's own signature code, and the answers would be right but the timing of
 * another path.
 */
async function webCryptoAnswers(bundle, now, work) {
  const engine = new Engine(bundle);
  const web = new WebCryptoSignatures();
  const answers = {};
  try {
    for (const alg of ['RS256', 'ES256', 'EdDSA']) {
      const verdicts = await web.verify(unpackCheck(engine.signatureCheckPacked(work[alg][0].token, now)));
      answers[alg] = verdicts.length === 1 && verdicts[0].valid === true;
    }
  } finally {
    engine.free();
  }
  return answers;
}

/**
 * Answers questions `from` to `from + n - 1` of algorithm `alg` (cycling through its list)
 * with `contender` ('tessera', 'tessera-sync' or 'jose'); resolves with the answers as a
 * string, 1 allowed and 0 not.
 */
export async function run(contender, alg, from, n) {
  if (state === null) throw new Error('setup first');
  const { tessera, index, verifier, now, work } = state;
  const questions = work[alg];
  const answers = new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    const q = questions[(from + k) % questions.length];
    if (contender === 'tessera') {
      answers[k] = (await tessera.canStatusAsync(q.token, q.verb, q.resource, q.namespace, undefined, now)) === 200 ? 1 : 0;
    } else if (contender === 'tessera-sync') {
      answers[k] = tessera.canStatus(q.token, q.verb, q.resource, q.namespace, undefined, now) === 200 ? 1 : 0;
    } else if (contender === 'jose') {
      const payload = await verifier.verify(q.token, alg);
      answers[k] = jsDecide(index, payload && jsIdentity(index, payload, alg), q) ? 1 : 0;
    } else {
      throw new Error(`unknown contender ${contender}`);
    }
  }
  return Array.from(answers).join('');
}
