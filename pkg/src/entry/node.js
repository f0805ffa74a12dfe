// Node ESM, Deno and Bun: read the .wasm next to the bindings and instantiate it synchronously.
import { readFileSync } from 'node:fs';
import { initSync } from '../../dist/wasm/tessera.js';

initSync({ module: readFileSync(new URL('../../dist/wasm/tessera_bg.wasm', import.meta.url)) });

import { setSignatureVerifier } from '../engine.js';
import { nodeSignatureVerifier } from '../host-crypto.js';

// RSA and ECDSA signature math by node:crypto (several times faster than RustCrypto in wasm);
// each algorithm family is self-tested first, and RustCrypto remains the fallback.
setSignatureVerifier(nodeSignatureVerifier());

export * from '../index.js';
