// The example bundle is valid against docs/bundle.schema.json, broken copies are not, and the
// bundle's issuer keys are the public halves of the demo keys in examples/keys/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const readJson = (rel) => JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8'));
const schema = readJson('../../docs/bundle.schema.json');
const bundle = readJson('../../examples/bundle.json');

const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
addFormats(ajv);
const validate = ajv.compile(schema);

const explain = () => ajv.errorsText(validate.errors, { separator: '\n' });
const broken = (change) => {
  const copy = structuredClone(bundle);
  change(copy);
  return copy;
};
const refused = (doc, where) => {
  assert.equal(validate(doc), false, 'a broken bundle was accepted');
  if (where) {
    assert.ok(
      validate.errors.some((e) => e.instancePath.startsWith(where)),
      `no error at ${where}:\n${explain()}`,
    );
  }
};

test('examples/bundle.json is valid', () => {
  assert.ok(validate(bundle), explain());
});

test('a minimal bundle (only the required fields) is valid', () => {
  assert.ok(validate({ version: 1, revision: 7, issued_at: '2026-11-01T00:00:00Z' }), explain());
});

test('an unknown field is refused, at the top and deep inside', () => {
  refused(broken((b) => { b.colour = 'blue'; }));
  refused(broken((b) => { b.service_accounts[0].colour = 'blue'; }), '/service_accounts/0');
  refused(broken((b) => { b.cluster_roles[3].rules[0].verb = ['get']; }), '/cluster_roles/3/rules/0');
  refused(broken((b) => { b.settings.leeway = 30; }), '/settings');
});

test('a missing required field is refused', () => {
  refused(broken((b) => { delete b.revision; }));
  refused(broken((b) => { delete b.service_accounts[3].uid; }), '/service_accounts/3');
  refused(broken((b) => { delete b.role_bindings[0].roleRef; }), '/role_bindings/0');
  refused(broken((b) => { delete b.routes[0].policy; }), '/routes/0');
});

test('a private key member in an issuer key is refused', () => {
  refused(broken((b) => { b.issuers[0].jwks.keys[0].d = 'c2VjcmV0'; }), '/issuers/0/jwks/keys/0');
  refused(broken((b) => { b.issuers[1].jwks.keys[0].qi = 'AQAB'; }), '/issuers/1/jwks/keys/0');
});

test('a wrong type is refused', () => {
  refused(broken((b) => { b.revision = '1'; }), '/revision');
  refused(broken((b) => { b.revision = -1; }), '/revision');
  refused(broken((b) => { b.version = 2; }), '/version');
  refused(broken((b) => { b.issued_at = 'yesterday'; }), '/issued_at');
  refused(broken((b) => { b.namespaces = {}; }), '/namespaces');
  refused(broken((b) => { b.service_accounts[0].secrets = 'robot-token-abcde'; }), '/service_accounts/0/secrets');
  refused(broken((b) => { b.service_accounts[0].kind = 'shared'; }), '/service_accounts/0/kind');
  refused(broken((b) => { b.routes[0].policy = 'allow'; }), '/routes/0/policy');
});

test('the loader rules the schema states are enforced', () => {
  refused(broken((b) => { b.namespaces[0].name = 'Global'; }), '/namespaces/0/name');
  refused(broken((b) => { b.service_accounts[0].name = 'deploy_bot'; }), '/service_accounts/0/name');
  refused(broken((b) => { delete b.service_accounts[1].impersonate; }), '/service_accounts/1');
  refused(broken((b) => { b.service_accounts[1].id = 'alice-bot'; }), '/service_accounts/1/id');
  refused(broken((b) => { b.service_accounts[0].impersonate = 'alice'; }), '/service_accounts/0/impersonate');
  refused(broken((b) => { b.cluster_role_bindings[0].roleRef.kind = 'Role'; }), '/cluster_role_bindings/0/roleRef/kind');
});

test("the bundle's issuer keys are the public demo keys", () => {
  const keysOf = (name) => bundle.issuers.find((i) => i.name === name).jwks.keys;
  for (const [issuer, file] of [['cluster', 'cluster'], ['legacy', 'legacy'], ['pomerium', 'pomerium']]) {
    const pub = readJson(`../../examples/keys/${file}.public.jwk.json`);
    assert.deepEqual(keysOf(issuer), [pub], `issuer ${issuer}`);
    assert.equal(pub.d, undefined, `${file}.public.jwk.json holds a private part`);
  }
  const secret = readFileSync(new URL('../../examples/keys/pomerium.shared-secret.txt', import.meta.url), 'utf8').trim();
  assert.equal(bundle.issuers.find((i) => i.name === 'pomerium').shared_secret, secret);
  assert.equal(Buffer.from(secret, 'base64').length, 32);
});
