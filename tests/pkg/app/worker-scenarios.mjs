// workerd (Miniflare): bundled like wrangler does (conditions workerd, worker, browser; the
// .wasm imported as a compiled module); answers the scenario run as JSON.
import * as tessera from 'tessera';
import data from './data.mjs';
import { runAll } from './scenario-run.mjs';

export default {
  async fetch() {
    return Response.json(runAll(tessera, data, 'workerd'));
  },
};
