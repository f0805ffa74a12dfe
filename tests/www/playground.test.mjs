// The playground (www/) in headless Chromium: starts www/serve.mjs on a free port, drives Debian's
// Chromium with playwright-core, and checks what a person would see. Screenshots go to
// tests/artifacts/www/. Run through tests/www/run.sh (builds the page first).

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ARTIFACTS = join(ROOT, 'tests', 'artifacts', 'www');
const CHROMIUM = process.env.CHROMIUM || ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

let server;
let base;
let browser;
let context;
let page;
const pageErrors = [];
const foreignRequests = [];

/** Starts www/serve.mjs with PORT=0 and resolves with its URL. */
function startServer() {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'www', 'serve.mjs')], {
      cwd: ROOT,
      env: { ...process.env, PORT: '0' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /tessera playground: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (m) resolvePromise({ child, url: m[1] });
    });
    child.on('exit', (code) => reject(new Error(`www/serve.mjs exited (${code}) before listening: ${out}`)));
  });
}

async function shot(name) {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

const text = (selector) => page.locator(selector).innerText();

before(async () => {
  assert.ok(CHROMIUM, 'Chromium not found (/usr/bin/chromium): apt-get install chromium');
  mkdirSync(ARTIFACTS, { recursive: true });
  const started = await startServer();
  server = started.child;
  base = started.url;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base.replace(/\/$/, '') });
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && pageErrors.push(m.text()));
  page.on('request', (r) => {
    if (!r.url().startsWith(base) && !r.url().startsWith('data:')) foreignRequests.push(r.url());
  });
});

after(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
});

describe('playground', () => {
  let token; // the unique account's token, as the page showed it once

  it('serves the page, the engine and the example bundle with the right types', async () => {
    for (const [path, type] of [['', 'text/html'], ['vendor/tessera_bg.wasm', 'application/wasm'], ['vendor/engine.js', 'text/javascript'], ['examples/bundle.json', 'application/json']]) {
      const res = await fetch(base + path);
      assert.equal(res.status, 200, path);
      assert.ok(res.headers.get('content-type').startsWith(type), `${path}: ${res.headers.get('content-type')}`);
      await res.arrayBuffer();
    }
    assert.equal((await fetch(`${base}..%2f..%2fCargo.toml`)).status, 404);
    assert.equal((await fetch(`${base}serve.mjs`)).status, 404);
  });

  it('loads the example bundle: revision, namespace tree, accounts, roles, bindings, routes', async () => {
    await page.goto(`${base}?empty`);
    await page.waitForFunction(() => document.body.dataset.engine === 'ready');
    assert.equal(await page.locator('#bundle-revision').count(), 0, 'nothing loaded with ?empty');
    // Decide at a fixed time (a Sunday, as the scenarios do), whatever the machine's clock says.
    await page.getByLabel('Time (UTC').fill('2026-11-22T10:00:00');
    await page.getByRole('button', { name: 'Load the example bundle' }).click();
    await page.locator('#bundle-revision').waitFor();
    assert.equal(await text('#bundle-revision'), '1');
    assert.match(await text('#bundle-state'), /revision 1 · the example bundle · expires 2027-11-01/);
    const tree = await text('.tree');
    for (const ns of ['global', 'engineering', 'ci', 'sales', 'top-secret', 'managers', 'other']) assert.ok(tree.includes(ns), ns);
    assert.ok(tree.includes('alice-automation → alice'));
    for (const d of await page.locator('#bundle-view details').all()) {
      if (!(await d.evaluate((e) => e.open))) await d.locator('summary').click();
    }
    const view = await text('#bundle-view');
    assert.match(view, /Service accounts\s*10/);
    assert.match(view, /Roles\s*12/);
    assert.match(view, /Bindings\s*9/);
    assert.match(view, /Routes\s*9/);
    for (const s of ['top-secret/robot', 'deployments-manager', 'system:image-pullers', 'ServiceAccount top-secret/robot', 'engineering-wiki', 'path /hooks/github', 'allow: or(groups has admins, service_account starts_with engineering/)']) {
      assert.ok(view.includes(s), s);
    }
    await shot('01-example-bundle');
  });

  it('a bad bundle shows the path of every problem and the engine keeps the good one', async () => {
    const bad = JSON.parse(readFileSync(join(ROOT, 'examples', 'bundle.json'), 'utf8'));
    bad.revision = 5;
    bad.namespaces[2].parent = 'nowhere';
    bad.service_accounts[3].namespace = 'nope';
    await page.getByLabel('Bundle JSON').fill(JSON.stringify(bad));
    await page.getByRole('button', { name: 'Load pasted JSON' }).click();
    const errors = page.locator('#bundle-errors');
    await errors.waitFor();
    const paths = await errors.locator('code.path').allInnerTexts();
    assert.deepEqual(paths, ['namespaces[2].parent', 'service_accounts[3].namespace']);
    assert.match(await errors.innerText(), /"nowhere" is not a defined namespace/);
    assert.match(await errors.innerText(), /keeps the bundle it held: revision 1/);
    assert.equal(await text('#bundle-revision'), '1');
    await shot('02-bad-bundle');

    // A shape error (unknown member) names its path too, from a file as if dropped on the card.
    const typo = JSON.parse(readFileSync(join(ROOT, 'examples', 'bundle.json'), 'utf8'));
    typo.routes[1].colour = 'blue';
    await dropFile('typo.json', JSON.stringify(typo));
    await page.waitForFunction(() => document.querySelector('#bundle-errors')?.innerText.includes('typo.json'));
    assert.deepEqual(await errors.locator('code.path').allInnerTexts(), ['routes[1].colour']);
    assert.match(await errors.innerText(), /unknown field `colour`/);
  });

  it('loads a dropped file and a bundle URL', async () => {
    const good = JSON.parse(readFileSync(join(ROOT, 'examples', 'bundle.json'), 'utf8'));
    good.revision = 7;
    await dropFile('rev7.json', JSON.stringify(good));
    await page.waitForFunction(() => document.querySelector('#bundle-revision')?.textContent === '7');
    assert.ok(await page.locator('#bundle-errors').isHidden());
    assert.match(await text('#bundle-state'), /revision 7 · file rev7\.json/);

    await page.getByLabel('Bundle URL').fill('/examples/bundle.json');
    await page.getByRole('button', { name: 'Load URL' }).click();
    await page.waitForFunction(() => document.querySelector('#bundle-revision')?.textContent === '1');
    assert.match(await text('#bundle-state'), /revision 1 · \/examples\/bundle\.json/);
  });

  it('adds a service account and shows its demo-key token once, with a copy button', async () => {
    await page.locator('#sa-namespace').selectOption('engineering');
    await page.getByLabel('Name', { exact: true }).fill('playground-bot');
    await page.getByRole('button', { name: 'Create account and mint token' }).click();
    const minted = page.locator('#minted-token');
    await minted.waitFor();
    token = await minted.inputValue();
    assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
    const header = JSON.parse(Buffer.from(token.split('.')[0], 'base64url'));
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url'));
    assert.equal(header.alg, 'ES256');
    assert.match(header.kid, /^playground-demo-/);
    assert.equal(claims.sub, 'system:serviceaccount:engineering:playground-bot');
    assert.equal(claims.iss, undefined);
    assert.equal(claims.iat, Date.parse('2026-11-22T10:00:00Z') / 1000, 'minted at the page\'s time');
    assert.equal(claims.exp, undefined, 'no expiry asked, none given');
    assert.match(claims.jti, /^[0-9a-f-]{36}$/);
    assert.equal(Buffer.from(token.split('.')[2], 'base64url').length, 64, 'ES256 signature is raw r||s');
    assert.match(await text('#demo-key-note'), /Demo key/);
    assert.match(await text('.once'), /Shown once/);
    assert.equal(await text('#bundle-revision'), '2', 'the revision is bumped');
    assert.match(await text('#bundle-view'), /engineering\/playground-bot\s*added here/);
    assert.ok((await text('#bundle-view')).includes('playground-demo'), 'the demo key is listed under its issuer');

    await page.getByRole('button', { name: 'Copy' }).click();
    await page.locator('.copy-status', { hasText: 'Copied.' }).waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), token);
    await shot('03-token-shown-once');

    await page.getByRole('button', { name: 'Done: hide it' }).click();
    await page.locator('#token-hidden').waitFor();
    assert.match(await text('#token-hidden'), /hidden/);
    assert.equal(await page.locator('#minted-token').count(), 0);
    const anywhere = await page.evaluate((t) => document.body.innerText.includes(t) || [...document.querySelectorAll('textarea,input')].some((e) => e.value.includes(t)), token);
    assert.equal(anywhere, false, 'the token is nowhere on the page once hidden');
    await shot('04-token-hidden');
  });

  it("shows that token's identity, and the precise reason a token is refused", async () => {
    await page.getByLabel('Token (JWT').fill(token);
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.locator('#identity-username').waitFor();
    assert.equal(await text('#identity-username'), 'system:serviceaccount:engineering:playground-bot');
    assert.match(await text('#identity-uid'), /^[0-9a-f-]{36}$/);
    assert.equal(await text('#identity-groups'), ['system:serviceaccounts', 'system:serviceaccounts:engineering', 'system:authenticated'].join('\n'));
    assert.equal(await text('#identity-namespace'), 'engineering');
    assert.equal(await text('#identity-account'), 'engineering/playground-bot');
    assert.match(await text('#identity-expiry'), /never/);
    await shot('05-identity');

    // A forged signature: refused, with the reason.
    const [h, c, s] = token.split('.');
    const forged = `${h}.${c}.${s.startsWith('A') ? 'B' : 'A'}${s.slice(1)}`;
    await page.getByLabel('Token (JWT').fill(forged);
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.locator('#identity-reason').waitFor();
    assert.match(await text('#identity'), /Refused/);
    assert.match(await text('#identity-reason'), /signature/);
    await shot('06-identity-refused');
  });

  it('an impersonating account with an expiry: the user, the groups and the expiry', async () => {
    await page.locator('#sa-namespace').selectOption('engineering');
    await page.getByLabel('Name', { exact: true }).fill('alice-helper');
    await page.getByLabel('impersonate a directory user').check();
    await page.locator('#sa-user').selectOption('alice');
    await page.getByLabel('Expires (optional, UTC)').fill('2027-06-30T12:00:00');
    await page.getByRole('button', { name: 'Create account and mint token' }).click();
    await page.locator('#minted-token').waitFor();
    const alice = await page.locator('#minted-token').inputValue();
    await page.getByRole('button', { name: 'Use as the token below' }).click();
    await page.locator('#identity-username').waitFor();
    assert.equal(await page.getByLabel('Token (JWT').inputValue(), alice);
    assert.equal(await text('#identity-username'), 'alice');
    assert.match(await text('#identity-groups'), /admins/);
    assert.match(await text('#identity-extra'), /engineering\/alice-helper/);
    assert.match(await text('#identity-expiry'), /2027-06-30 12:00:00 UTC/);
    assert.equal(await text('#bundle-revision'), '3');
    await page.getByRole('button', { name: 'Done: hide it' }).click();
    await page.getByLabel('Token (JWT').fill(token);
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.locator('#identity-username', { hasText: 'playground-bot' }).waitFor();
  });

  it('an allowed and a denied HTTP decision, each with its reason and the time it took', async () => {
    await page.getByLabel('Token (JWT').fill(token);
    await page.getByLabel('Method').selectOption('GET');
    await page.getByLabel('URL', { exact: true }).fill('https://wiki.example.com/');
    await page.getByRole('button', { name: 'Decide HTTP request' }).click();
    await page.locator('#decision-verdict[data-allowed="true"]').waitFor();
    assert.match(await text('#decision-verdict'), /Allowed\s*200/);
    assert.equal(await text('#decision-route'), 'engineering-wiki');
    assert.match(await text('#decision-reasons'), /\S/);
    assert.match(await text('#decision-explanation'), /allowed by allow/);
    assert.match(await text('#decision-time-taken'), /^\d+(\.\d+)? (ms|µs) in this page$/);
    await shot('07-http-allowed');

    await page.getByLabel('Method').selectOption('DELETE');
    await page.getByLabel('URL', { exact: true }).fill('https://api.example.com/engineering/services/api');
    await page.getByRole('button', { name: 'Decide HTTP request' }).click();
    await page.locator('#decision-verdict[data-allowed="false"]').waitFor();
    assert.match(await text('#decision-verdict'), /Not allowed\s*403/);
    assert.equal(await text('#decision-route'), 'engineering-api');
    assert.match(await text('#decision-explanation'), /deny/);
    await shot('08-http-denied');
  });

  it('an allowed and a denied RBAC decision, with the binding or the Kubernetes wording', async () => {
    // A new account in top-secret gets view through view-all-serviceaccounts.
    await page.locator('#sa-namespace').selectOption('top-secret');
    await page.getByLabel('Name', { exact: true }).fill('viewer');
    await page.getByLabel('unique identity').check();
    await page.getByRole('button', { name: 'Create account and mint token' }).click();
    await page.locator('#minted-token').waitFor();
    await page.getByRole('button', { name: 'Use as the token below' }).click();
    await page.locator('#identity-username', { hasText: 'system:serviceaccount:top-secret:viewer' }).waitFor();
    await page.getByRole('button', { name: 'Done: hide it' }).click();

    await page.getByLabel('Verb').fill('get');
    await page.getByLabel('Resource').fill('pods');
    await page.locator('#rbac-namespace').fill('top-secret');
    await page.getByRole('button', { name: 'Decide RBAC question' }).click();
    await page.locator('#decision-verdict[data-allowed="true"]').waitFor();
    assert.match(await text('#decision-verdict'), /Allowed\s*200/);
    assert.match(await text('#decision-explanation'), /RoleBinding "view-all-serviceaccounts\/top-secret" of ClusterRole "view" to Group "system:serviceaccounts"/);
    await shot('09-rbac-allowed');

    await page.getByLabel('Verb').fill('delete');
    await page.getByRole('button', { name: 'Decide RBAC question' }).click();
    await page.locator('#decision-verdict[data-allowed="false"]').waitFor();
    assert.match(await text('#decision-verdict'), /Not allowed\s*403/);
    assert.match(await text('#decision-explanation'), /User "system:serviceaccount:top-secret:viewer" cannot delete resource "pods" in API group "" in the namespace "top-secret"/);
    await shot('10-rbac-denied');
  });

  it('every control is labelled, the page works by keyboard, and it asked no other host', async () => {
    const unlabelled = await page.evaluate(() =>
      [...document.querySelectorAll('input, select, textarea, button')]
        .filter((e) => !e.closest('[hidden]'))
        .filter((e) => !(e.labels?.length || e.getAttribute('aria-label') || (e.tagName === 'BUTTON' && e.innerText.trim())))
        .map((e) => e.outerHTML.slice(0, 80)));
    assert.deepEqual(unlabelled, []);

    // By keyboard alone: Tab from the top reaches "Load the example bundle"; Enter loads it.
    await page.goto(`${base}?empty`);
    await page.waitForFunction(() => document.body.dataset.engine === 'ready');
    let reached = false;
    for (let i = 0; i < 10 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(() => document.activeElement?.id === 'load-example');
    }
    assert.ok(reached, 'Tab reaches the example button');
    assert.equal(await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle), 'solid', 'focus is visible');
    await page.keyboard.press('Enter');
    await page.locator('#bundle-revision').waitFor();
    assert.equal(await text('#bundle-revision'), '1');

    assert.deepEqual(foreignRequests, [], 'the page fetched nothing from other hosts');
    assert.deepEqual(pageErrors, [], 'no errors in the page');
  });
});

/** Drops a file on the bundle card, as a person dragging it from a file manager would. */
async function dropFile(name, content) {
  const dt = await page.evaluateHandle(([n, c]) => {
    const d = new DataTransfer();
    d.items.add(new File([c], n, { type: 'application/json' }));
    return d;
  }, [name, content]);
  await page.dispatchEvent('#bundle-card', 'dragover', { dataTransfer: dt });
  await page.dispatchEvent('#bundle-card', 'drop', { dataTransfer: dt });
}
