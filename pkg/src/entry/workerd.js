// workerd (Cloudflare Workers, Miniflare) and other edge runtimes whose bundler imports a .wasm
// file as a compiled WebAssembly.Module (`worker`, `edge-light` conditions).
import wasm from '../../dist/wasm/tessera_bg.wasm';
import { initSync } from '../../dist/wasm/tessera.js';

initSync({ module: wasm });

import { useWebCrypto } from '../engine.js';

// RSA and ECDSA signature math by WebCrypto for the *Async methods (and so for edgeHandler and
// authorizeRequest): several times faster than RustCrypto in wasm; self-tested per family, and
// RustCrypto remains the fallback and the synchronous methods' math.
useWebCrypto();

export * from '../index.js';
