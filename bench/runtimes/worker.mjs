// bench/runtimes/bench.mjs as a Worker (bundled by bench/runtimes.mjs as wrangler bundles one):
// POST /setup with setup's argument, POST /run with {contender, alg, from, n}; each answers
// JSON.
import { run, setup } from './bench.mjs';

export default {
  async fetch(request) {
    const { pathname } = new URL(request.url);
    try {
      const body = await request.json();
      if (pathname === '/setup') return Response.json(await setup(body));
      if (pathname === '/run') return Response.json({ answers: await run(body.contender, body.alg, body.from, body.n) });
      return new Response('not found', { status: 404 });
    } catch (error) {
      return Response.json({ error: String(error?.stack ?? error) }, { status: 500 });
    }
  },
};
