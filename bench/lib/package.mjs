// Where the built npm package is, for the harness's package contenders.
import { readFileSync, existsSync } from 'node:fs';

const PKG = new URL('../../pkg/', import.meta.url);

/**
 * The file `import { Tessera } from 'tessera'` loads in Node (the one the package's exports map
 * names for the `node` + `import` conditions), as a file URL; null when the package is not built
 * (no pkg/dist: that file or the module it loads is missing).
 */
export function packageNodeEntry() {
  const manifest = JSON.parse(readFileSync(new URL('package.json', PKG), 'utf8'));
  const entry = new URL(manifest.exports['.'].node.import.default, PKG);
  return existsSync(entry) && existsSync(new URL('dist/wasm/tessera_bg.wasm', PKG)) ? entry : null;
}
