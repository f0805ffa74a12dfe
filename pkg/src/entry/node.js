// Node ESM, Deno and Bun: read the .wasm next to the bindings and instantiate it synchronously.
import { readFileSync } from 'node:fs';
import { initSync } from '../../dist/wasm/tessera.js';

initSync({ module: readFileSync(new URL('../../dist/wasm/tessera_bg.wasm', import.meta.url)) });

export * from '../index.js';
