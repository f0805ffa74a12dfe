// Deterministic benchmark bundle: N service accounts spread over namespaces, M RoleBindings,
// a few ClusterRoles, one route per namespace (first 100), and the example issuers (so tokens
// can be minted with the demo keys of examples/keys, as examples/mint-token.mjs does).
//
//   node bench/gen-bundle.mjs --accounts 1000 [--bindings 2000] [--out FILE]
//
// The question every contender answers: may system:serviceaccount:<ns>:sa-<i> `get pods` in
// its own namespace? Account i holds the ClusterRole `pod-reader` there when i is even and
// `config-reader` (configmaps only) when i is odd, so half the answers are allow, half deny.
// Bindings past the first N add `deployer` (deployments.apps) grants: more data, same answers.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const example = JSON.parse(readFileSync(new URL('../examples/bundle.json', import.meta.url), 'utf8'));

/** Namespaces for n accounts: about 50 accounts each, at least 4. */
export const namespaceCount = (accounts) => Math.max(4, Math.ceil(accounts / 50));
export const nsOf = (i, accounts) => `ns-${i % namespaceCount(accounts)}`;
export const accountName = (i) => `sa-${i}`;

/** A deterministic UUID-shaped uid for account i. */
export function uidOf(i) {
  const h = (x) => ((Math.imul(x ^ 0x9e3779b9, 0x85ebca6b) >>> 0) ^ (x * 2654435761) >>> 0) >>> 0;
  const hex = (x, n) => (h(x) >>> 0).toString(16).padStart(8, '0').slice(0, n);
  return `${hex(i, 8)}-${hex(i + 1, 4)}-4${hex(i + 2, 3)}-8${hex(i + 3, 3)}-${hex(i + 4, 8)}${hex(i + 5, 4)}`;
}
export const secretOf = (i) => `sa-${i}-token-${(i * 7919 % 46656).toString(36).padStart(3, '0')}ab`;

const ROLES = ['pod-reader', 'config-reader', 'deployer'];
/** The ClusterRole binding j grants (to account j mod N). */
export function roleOfBinding(j, accounts) {
  const i = j % accounts;
  if (j < accounts) return i % 2 === 0 ? 'pod-reader' : 'config-reader';
  return 'deployer';
}

export function generateBundle({ accounts, bindings = 2 * accounts }) {
  const k = namespaceCount(accounts);
  const namespaces = Array.from({ length: k }, (_, n) => ({ name: `ns-${n}` }));
  const service_accounts = Array.from({ length: accounts }, (_, i) => ({
    namespace: nsOf(i, accounts),
    name: accountName(i),
    uid: uidOf(i),
    secrets: [secretOf(i)],
  }));
  const role_bindings = Array.from({ length: bindings }, (_, j) => {
    const i = j % accounts;
    return {
      name: `rb-${j}`,
      namespace: nsOf(i, accounts),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleOfBinding(j, accounts) },
      subjects: [{ kind: 'ServiceAccount', name: accountName(i), namespace: nsOf(i, accounts) }],
    };
  });
  const cluster_roles = [
    { name: 'pod-reader', rules: [{ verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['pods', 'pods/log'] }] },
    { name: 'config-reader', rules: [{ verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['configmaps'] }] },
    { name: 'deployer', rules: [{ verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'], apiGroups: ['apps'], resources: ['deployments', 'deployments/scale'] }] },
  ];
  const routes = namespaces.slice(0, 100).map(({ name }) => ({
    name: `route-${name}`,
    namespace: name,
    from: `https://${name}.example.com`,
    policy: { allow: { and: [{ namespace: { is: name } }] } },
  }));
  return {
    version: 1,
    revision: 1,
    issued_at: '2026-01-01T00:00:00Z',
    expires_at: '2099-01-01T00:00:00Z',
    settings: { leeway_seconds: 60, default_issuer: 'pomerium' },
    issuers: example.issuers,
    namespaces,
    service_accounts,
    revocations: [{ id: 'revoked-jti-0', revoked_at: '2026-01-02T00:00:00Z' }],
    roles: [],
    cluster_roles,
    role_bindings,
    cluster_role_bindings: [],
    routes,
  };
}

export { ROLES };

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name, dflt) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : dflt;
  };
  const accounts = Number(arg('accounts', 1000));
  const bindings = Number(arg('bindings', 2 * accounts));
  const text = JSON.stringify(generateBundle({ accounts, bindings }));
  const out = arg('out');
  if (out) writeFileSync(out, text);
  else process.stdout.write(text + '\n');
}
