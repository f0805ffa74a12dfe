// No loading at all: for runtimes that hand you the module some other way (Vercel's
// `import wasm from 'tessera/tessera_bg.wasm?module'`, a KV value, ...). Call
// `initSync({ module })` or `await init({ module_or_path })` once before anything else.
export { initSync, default as init } from '../../dist/wasm/tessera.js';
export * from '../index.js';
