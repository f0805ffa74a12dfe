// Node ESM, Deno and Bun: `import 'tessera'` resolves through the package's exports map
// (node / deno / bun conditions) to the entry that reads the .wasm from disk.
import * as tessera from 'tessera';
import data from './data.mjs';
import { runAll, runAllAsync } from './scenario-run.mjs';

const runtime = typeof Deno !== 'undefined' ? 'deno' : typeof Bun !== 'undefined' ? 'bun' : 'node-esm';
const result = runAll(tessera, data, runtime);
result.async = await runAllAsync(tessera, data, runtime);
console.log(JSON.stringify(result));
