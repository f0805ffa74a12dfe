// workerd (Cloudflare Workers, Miniflare) and other edge runtimes whose bundler imports a .wasm
// file as a compiled WebAssembly.Module (`worker`, `edge-light` conditions).
import wasm from '../../dist/wasm/tessera_bg.wasm';
import { initSync } from '../../dist/wasm/tessera.js';

initSync({ module: wasm });

export * from '../index.js';
