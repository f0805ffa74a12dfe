// The CommonJS build's entry (bundled by scripts/build-pkg.sh into dist/cjs/index.cjs, next to
// dist/wasm/): the same bindings and the same .wasm as the ESM entries.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initSync } from '../../dist/wasm/tessera.js';

// eslint-disable-next-line no-undef
initSync({ module: readFileSync(join(__dirname, '..', 'wasm', 'tessera_bg.wasm')) });

import { setSignatureVerifier } from '../engine.js';
import { nodeSignatureVerifier } from '../host-crypto.js';

// RSA, ECDSA and EdDSA signature math by node:crypto (several times faster than the module's
// own signature code); each algorithm family is self-tested first, and the module's code
// remains the fallback.
setSignatureVerifier(nodeSignatureVerifier());

export * from '../index.js';
