// A typed user of the package (ESM): checked with tsc --noEmit, never run.
import { Tessera, Engine, edgeHandler, authorizeRequest, cacheApiStorage, memoryStorage, DecisionLog, IDENTITY_HEADERS } from 'tessera';
import type { Decision, TokenReview, ProxyAnswer, DecisionRecord, UpdateInfo } from 'tessera';
import { createExtAuthzServer } from 'tessera/node';

const records: DecisionRecord[] = [];
const tessera = new Tessera({
  bundleUrl: 'https://policy.example.com/bundle.json',
  trustedKeys: { keys: [{ kty: 'EC', crv: 'P-256', x: '...', y: '...' }] },
  refreshInterval: 60,
  jitter: 0.1,
  expiryGrace: 300,
  storage: memoryStorage(),
  onUpdate: (info: UpdateInfo) => console.log(info.revision, info.source),
  onError: (error) => console.warn(error.kind, error.message),
  decisionLog: new DecisionLog({ sink: (batch) => { records.push(...batch); }, maxBatch: 50 }),
});

export async function main(): Promise<number> {
  const revision: number = await tessera.ready();
  const d: Decision = tessera.checkHttp('GET', 'https://wiki.example.com/', 'Bearer x');
  const allowed: boolean = d.allowed;
  const user: string | undefined = d.identity?.username;
  const review: TokenReview = tessera.verify('x');
  const rbac = tessera.authorize('x', { verb: 'get', resource: 'pods', namespace: 'ci' });
  const can = tessera.can('x', 'get', 'pods', 'ci');
  const answer: ProxyAnswer = tessera.check({ method: 'GET', host: 'wiki.example.com', path: '/', headers: { authorization: 'Bearer x' } });
  const r = await tessera.loader?.refresh();
  const engine: Engine = Engine.fromSigned('{}', 'sig', '{"keys":[]}');
  engine.setExpiryGrace(60);
  const fetchHandler = edgeHandler(tessera, { upstream: (req) => fetch(req), explain: false });
  const res: Response = await fetchHandler(new Request('https://wiki.example.com/'));
  const result = await authorizeRequest(tessera, new Request('https://wiki.example.com/'));
  if (result.allowed) result.request.headers.get(IDENTITY_HEADERS.user);
  else result.response.status satisfies number;
  cacheApiStorage({ match: async () => undefined, put: async () => {} });
  createExtAuthzServer(tessera, { pathPrefix: '/check' }).listen(0, '127.0.0.1');
  // @ts-expect-error: a decision is not a string
  const wrong: string = tessera.checkHttp('GET', 'https://x/');
  void [revision, allowed, user, review, rbac, can, answer, r, res, wrong];
  return revision;
}
