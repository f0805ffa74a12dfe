// workerd (Cloudflare Workers, Miniflare) and other edge runtimes whose bundler imports a .wasm
// file as a compiled WebAssembly.Module (`worker`, `edge-light` conditions).
import wasm from '../../dist/wasm/tessera_bg.wasm';
import { initSync } from '../../dist/wasm/tessera.js';

initSync({ module: wasm });

import { useWebCrypto } from '../engine.js';

// RSA, ECDSA and EdDSA signature math by WebCrypto for the *Async methods (and so for
// edgeHandler and authorizeRequest): faster than the module's own signature code; self-tested
// per family, and the module's code remains the fallback and the synchronous methods' math.
useWebCrypto();

export * from '../index.js';
