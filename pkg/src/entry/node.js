// Node ESM, Deno and Bun: read the .wasm next to the bindings and instantiate it synchronously.
import { readFileSync } from 'node:fs';
import { initSync } from '../../dist/wasm/tessera.js';

initSync({ module: readFileSync(new URL('../../dist/wasm/tessera_bg.wasm', import.meta.url)) });

import { setSignatureVerifier } from '../engine.js';
import { nodeSignatureVerifier } from '../host-crypto.js';

// RSA, ECDSA and EdDSA signature math by node:crypto (several times faster than the module's
// own signature code); each algorithm family is self-tested first, and the module's code
// remains the fallback.
setSignatureVerifier(nodeSignatureVerifier());

export * from '../index.js';
