// Browsers and bundlers: fetch the .wasm beside this package (bundlers see the
// `new URL(..., import.meta.url)` and ship the file as an asset), compile it while streaming.
import init from '../../dist/wasm/tessera.js';

await init({ module_or_path: new URL('../../dist/wasm/tessera_bg.wasm', import.meta.url) });

export * from '../index.js';
