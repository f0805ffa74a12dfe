// Node CommonJS: `require('tessera')` resolves to dist/cjs/index.cjs (same .wasm file).
const tessera = require('tessera');

(async () => {
  const { default: data } = await import('./data.mjs');
  const { runAll, runAllAsync } = await import('./scenario-run.mjs');
  if (typeof require.resolve('tessera') !== 'string' || !require.resolve('tessera').endsWith('.cjs')) {
    throw new Error(`require('tessera') resolved to ${require.resolve('tessera')}`);
  }
  const result = runAll(tessera, data, 'node-cjs');
  result.async = await runAllAsync(tessera, data, 'node-cjs');
  console.log(JSON.stringify(result));
})();
