// workerd (Miniflare): bundled like wrangler does (conditions workerd, worker, browser; the
// .wasm imported as a compiled module); answers the scenario run as JSON.
import * as tessera from 'tessera';
import data from './data.mjs';
import { runAll, runAllAsync } from './scenario-run.mjs';

export default {
  async fetch() {
    const result = runAll(tessera, data, 'workerd');
    result.async = await runAllAsync(tessera, data, 'workerd');
    return Response.json(result);
  },
};
