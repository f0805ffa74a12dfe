// Browsers and bundlers: fetch the .wasm beside this package (bundlers see the
// `new URL(..., import.meta.url)` and ship the file as an asset), compile it while streaming.
import init from '../../dist/wasm/tessera.js';

await init({ module_or_path: new URL('../../dist/wasm/tessera_bg.wasm', import.meta.url) });

import { useWebCrypto } from '../engine.js';

// RSA, ECDSA and EdDSA signature math by WebCrypto for the *Async methods (and so for
// edgeHandler and authorizeRequest): faster than the module's own signature code; self-tested
// per family, and the module's code remains the fallback and the synchronous methods' math.
useWebCrypto();

export * from '../index.js';
