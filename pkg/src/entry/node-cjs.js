// The CommonJS build's entry (bundled by scripts/build-pkg.sh into dist/cjs/index.cjs, next to
// dist/wasm/): the same bindings and the same .wasm as the ESM entries.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initSync } from '../../dist/wasm/tessera.js';

// eslint-disable-next-line no-undef
initSync({ module: readFileSync(join(__dirname, '..', 'wasm', 'tessera_bg.wasm')) });

export * from '../index.js';
