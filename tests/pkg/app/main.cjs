// Node CommonJS: `require('tessera')` resolves to dist/cjs/index.cjs (same .wasm file).
const tessera = require('tessera');

(async () => {
  const { default: data } = await import('./data.mjs');
  const { runAll } = await import('./scenario-run.mjs');
  if (typeof require.resolve('tessera') !== 'string' || !require.resolve('tessera').endsWith('.cjs')) {
    throw new Error(`require('tessera') resolved to ${require.resolve('tessera')}`);
  }
  console.log(JSON.stringify(runAll(tessera, data, 'node-cjs')));
})();
