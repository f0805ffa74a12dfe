// The playground: loads bundles into the engine, shows them, mints demo accounts, and asks the
// engine questions. Every identity and decision shown comes from the wasm engine; this file only
// fetches, edits the bundle document for the demo, and formats.

import { Engine, engineSource, ready } from './vendor/engine.js';
import { DEMO_ISSUER, jwtPart, makeDemoKey, mintToken, withAccount } from './mint.js';

const $ = (id) => document.getElementById(id);

/** A tiny element builder: h('p', {class: 'x'}, 'text', child). Text is never parsed as HTML. */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v == null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat(Infinity)) {
    if (c == null || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

const state = {
  engine: null, // the Engine
  doc: null, // the bundle document the engine holds (parsed)
  label: '', // where it came from
  added: new Set(), // "ns/name" of accounts added in this page
  demoKey: null, // {privateKey, jwk, kid}
};

// ---------- time ----------

/** The decision time in seconds: the time field (read as UTC), or the clock. */
function now() {
  const v = $('decision-time').value;
  if (v) {
    const t = Date.parse(v.length === 16 ? `${v}:00Z` : `${v}Z`);
    if (Number.isFinite(t)) return Math.floor(t / 1000);
  }
  return Math.floor(Date.now() / 1000);
}

function when(seconds) {
  if (seconds == null) return '—';
  return new Date(seconds * 1000).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC');
}

function ms(t) {
  return t < 0.1 ? `${(t * 1000).toFixed(0)} µs` : `${t.toFixed(t < 10 ? 2 : 0)} ms`;
}

// ---------- bundle loading ----------

/**
 * Splits an engine error ("bundle is invalid: a[0].b: why; c: why") into its head and its
 * problems, each starting with the path of the member it is about.
 */
function problems(error) {
  const text = String(error?.message ?? error).trim();
  const m = /^(bundle [^:]*?|[a-z ]+ (?:is|are) [a-z ]+): ([\s\S]*)$/.exec(text);
  const body = m ? m[2] : text;
  return { head: m ? m[1] : null, items: body.split(/; (?=[\w$?][\w$.[\]/:-]*: )/).map((p) => p.trim()).filter(Boolean) };
}

/** A problem as a list item, its leading path in a <code class="path">. */
function problemItem(p) {
  const m = /^([\w$?][\w$-]*(?:\[\d+\]|\.[\w$/:-]+)*): /.exec(p);
  return m ? h('li', {}, h('code', { class: 'path' }, m[1]), p.slice(m[1].length)) : h('li', {}, p);
}

function showBundleErrors(title, { head, items }) {
  const box = $('bundle-errors');
  box.replaceChildren(
    h('p', { class: 'err-title' }, title, head ? ` ${head}` : ''),
    h('ul', {}, items.map(problemItem)),
    state.engine
      ? h('p', { class: 'hint' }, `The engine keeps the bundle it held: revision ${state.engine.revision} (${state.label}).`)
      : h('p', { class: 'hint' }, 'No bundle is loaded.'),
  );
  box.hidden = false;
  renderStatus();
}

function clearBundleErrors() {
  $('bundle-errors').hidden = true;
  $('bundle-errors').replaceChildren();
}

/** Loads bundle text as a new engine; on failure shows every problem and keeps the old one. */
function loadBundle(text, label) {
  let engine;
  const t0 = performance.now();
  try {
    engine = new Engine(text);
  } catch (e) {
    showBundleErrors(`The bundle from ${label} was refused:`, problems(e));
    return false;
  }
  const took = performance.now() - t0;
  state.engine?.free();
  state.engine = engine;
  state.doc = JSON.parse(text);
  state.label = label;
  state.added.clear();
  clearBundleErrors();
  renderBundle(`loaded in ${ms(took)}`);
  hideMinted();
  reverify();
  return true;
}

async function loadUrl(url, label = url) {
  $('bundle-state').textContent = `fetching ${label}…`;
  let text;
  try {
    const res = await fetch(url, { cache: 'no-cache' });
    if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}`);
    text = await res.text();
  } catch (e) {
    showBundleErrors(`Could not fetch ${label}:`, { head: null, items: [String(e.message ?? e)] });
    return false;
  }
  return loadBundle(text, label);
}

async function loadFile(file) {
  const text = await file.text();
  $('bundle-text').value = text;
  return loadBundle(text, `file ${file.name}`);
}

// ---------- bundle view ----------

function renderStatus(extra) {
  const e = state.engine;
  $('bundle-state').textContent = e
    ? `revision ${e.revision} · ${state.label}${e.expiresAt != null ? ` · expires ${when(e.expiresAt)}` : ''}${extra ? ` · ${extra}` : ''}`
    : 'none';
}

const list = (v) => (Array.isArray(v) ? v : []);

/** A collapsible section; it stays open or closed as the person left it across re-renders. */
function section(title, count, body, open = false) {
  const was = document.querySelector(`#bundle-view details[data-section="${title}"]`);
  return h('details', { open: was ? was.open : open, 'data-section': title },
    h('summary', {}, title, ' ', h('span', { class: 'count' }, count)), body);
}

function table(head, rows, caption) {
  return h('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': caption },
    h('table', {},
      h('caption', { class: 'sr-only' }, caption),
      h('thead', {}, h('tr', {}, head.map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, rows)));
}

function namespaceTree(doc) {
  const nss = list(doc.namespaces);
  const names = new Set(nss.map((n) => n.name));
  const kids = new Map();
  for (const n of nss) {
    const p = n.parent && names.has(n.parent) ? n.parent : '';
    if (!kids.has(p)) kids.set(p, []);
    kids.get(p).push(n.name);
  }
  const accounts = new Map();
  for (const sa of list(doc.service_accounts)) {
    if (!accounts.has(sa.namespace)) accounts.set(sa.namespace, []);
    accounts.get(sa.namespace).push(sa);
  }
  const routes = new Map();
  for (const r of list(doc.routes)) routes.set(r.namespace, (routes.get(r.namespace) ?? 0) + 1);
  const seen = new Set();
  const branch = (parent) =>
    h('ul', { class: parent ? '' : 'tree' }, (kids.get(parent) ?? []).filter((n) => !seen.has(n)).map((n) => {
      seen.add(n);
      const sas = accounts.get(n) ?? [];
      return h('li', {},
        h('span', { class: 'ns' }, n),
        parent ? null : h('span', { class: 'tag' }, 'root'),
        routes.get(n) ? h('span', { class: 'tag' }, `${routes.get(n)} route${routes.get(n) > 1 ? 's' : ''}`) : null,
        sas.length ? h('span', { class: 'sas' }, sas.map((sa) =>
          h('span', { class: `sa${state.added.has(`${sa.namespace}/${sa.name}`) ? ' new' : ''}`, title: sa.kind === 'impersonating' ? `impersonates ${sa.impersonate}` : sa.id ?? '' },
            sa.name, sa.kind === 'impersonating' ? ` → ${sa.impersonate}` : ''))) : null,
        kids.has(n) ? branch(n) : null);
    }));
  return branch('');
}

function ruleText(r) {
  const verbs = list(r.verbs).join(', ');
  if (list(r.nonResourceURLs).length) return `${verbs} on URLs ${r.nonResourceURLs.join(', ')}`;
  const groups = list(r.apiGroups).map((g) => (g === '' ? 'core' : g)).join(', ');
  const names = list(r.resourceNames).length ? ` named ${r.resourceNames.join(', ')}` : '';
  return `${verbs} on ${list(r.resources).join(', ')} (${groups})${names}`;
}

function subjectText(s, ns) {
  return s.kind === 'ServiceAccount' ? `ServiceAccount ${s.namespace ?? ns ?? '?'}/${s.name}` : `${s.kind} ${s.name}`;
}

function routeMatch(r) {
  if (r.path != null) return [r.from, h('br'), h('span', { class: 'muted' }, 'path '), r.path];
  if (r.regex != null) return [r.from, h('br'), h('span', { class: 'muted' }, 'regex '), r.regex];
  if (r.prefix != null) return [r.from, h('br'), h('span', { class: 'muted' }, 'prefix '), r.prefix];
  return [r.from, h('br'), h('span', { class: 'muted' }, 'any path')];
}

/** A PPL policy in one line per rule: `allow: or(groups has admins, …)`. Display only. */
function policyText(policy) {
  const value = (v) => (Array.isArray(v) ? `[${v.map(value).join(', ')}]` : typeof v === 'string' ? v : JSON.stringify(v));
  const criterion = (c) => {
    const entries = Object.entries(c ?? {});
    if (entries.length !== 1) return JSON.stringify(c);
    const [name, v] = entries[0];
    if (v === true) return name;
    if (v && typeof v === 'object' && !Array.isArray(v)) return Object.entries(v).map(([m, x]) => `${name} ${m} ${value(x)}`).join(' & ');
    return `${name} ${value(v)}`;
  };
  const block = (b) => Object.entries(b ?? {}).map(([op, list]) => `${op}(${(Array.isArray(list) ? list : [list]).map(criterion).join(', ')})`).join(' or ');
  return (Array.isArray(policy) ? policy : [policy]).flatMap((rule) =>
    ['allow', 'deny'].filter((k) => rule?.[k]).map((k) => `${k}: ${block(rule[k])}`)).join('\n');
}

function renderBundle(note) {
  const doc = state.doc;
  const sas = list(doc.service_accounts);
  const roles = [...list(doc.roles).map((r) => ({ ...r, scope: r.namespace, type: 'Role' })), ...list(doc.cluster_roles).map((r) => ({ ...r, scope: 'cluster', type: 'ClusterRole' }))];
  const bindings = [...list(doc.role_bindings).map((b) => ({ ...b, type: 'RoleBinding' })), ...list(doc.cluster_role_bindings).map((b) => ({ ...b, type: 'ClusterRoleBinding' }))];
  const routes = list(doc.routes);
  const issuers = list(doc.issuers);

  const summary = h('dl', { class: 'summary', id: 'bundle-summary' },
    h('div', {}, h('dt', {}, 'Revision'), h('dd', { id: 'bundle-revision' }, String(state.engine.revision))),
    h('div', {}, h('dt', {}, 'Source'), h('dd', {}, state.label)),
    h('div', {}, h('dt', {}, 'Issued'), h('dd', {}, Number.isFinite(Date.parse(doc.issued_at)) ? when(Math.floor(Date.parse(doc.issued_at) / 1000)) : doc.issued_at ?? '—')),
    h('div', {}, h('dt', {}, 'Expires'), h('dd', {}, state.engine.expiresAt != null ? when(state.engine.expiresAt) : 'never')),
    h('div', {}, h('dt', {}, 'Default issuer'), h('dd', {}, doc.settings?.default_issuer ?? 'none')),
    h('div', {}, h('dt', {}, 'Load'), h('dd', {}, note)));

  const view = h('div', {},
    summary,
    section('Namespaces', list(doc.namespaces).length, namespaceTree(doc), true),
    section('Service accounts', sas.length, table(['Account', 'Identity', 'uid', 'Expires', 'Secrets'], sas.map((sa) =>
      h('tr', { class: state.added.has(`${sa.namespace}/${sa.name}`) ? 'new' : null },
        h('td', {}, h('code', {}, `${sa.namespace}/${sa.name}`), state.added.has(`${sa.namespace}/${sa.name}`) ? h('span', { class: 'tag new' }, 'added here') : null),
        h('td', {}, sa.kind === 'impersonating' ? ['impersonates ', h('code', {}, sa.impersonate)] : ['unique', sa.id ? [', id ', h('code', {}, sa.id)] : '']),
        h('td', {}, h('code', { class: 'uid', title: sa.uid, 'aria-label': sa.uid }, sa.uid.length > 13 ? `${sa.uid.slice(0, 8)}…` : sa.uid)),
        h('td', { class: 'nowrap' }, sa.expires_at ? sa.expires_at.replace('T', ' ') : '—'),
        h('td', {}, list(sa.secrets).length ? h('ul', { class: 'plain' }, list(sa.secrets).map((x) => h('li', {}, h('code', {}, x)))) : '—'))), 'Service accounts'), true),
    section('Roles', roles.length, table(['Role', 'Scope', 'Rules'], roles.map((r) =>
      h('tr', {},
        h('td', {}, h('code', {}, r.name), h('span', { class: 'tag' }, r.type)),
        h('td', {}, r.scope),
        h('td', {}, h('ul', { class: 'rules' },
          // An aggregationRule replaces the role's own rules (as Kubernetes' controller does).
          r.aggregationRule
            ? (list(r.rules).length ? h('li', { class: 'muted' }, `${list(r.rules).length} rules of its own, replaced by aggregation`) : null)
            : list(r.rules).map((rule) => h('li', {}, ruleText(rule))),
          r.aggregationRule ? h('li', { class: 'muted' }, `aggregates roles labelled ${list(r.aggregationRule.clusterRoleSelectors).map((s) => Object.entries(s.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(',')).join(' or ')}`) : null)))), 'Roles')),
    section('Bindings', bindings.length, table(['Binding', 'Namespace', 'Role', 'Subjects'], bindings.map((b) =>
      h('tr', {},
        h('td', {}, h('code', {}, b.name), h('span', { class: 'tag' }, b.type)),
        h('td', {}, b.namespace ?? 'every namespace'),
        h('td', {}, `${b.roleRef?.kind} ${b.roleRef?.name}`),
        h('td', {}, list(b.subjects).map((s) => subjectText(s, b.namespace)).join('; ')))), 'Bindings')),
    section('Routes', routes.length, table(['Route', 'Namespace', 'Matches', 'Policy'], routes.map((r) =>
      h('tr', {},
        h('td', {}, h('code', {}, r.name)),
        h('td', {}, r.namespace),
        h('td', {}, h('code', {}, routeMatch(r))),
        h('td', {}, h('pre', { class: 'policy', title: JSON.stringify(r.policy) }, policyText(r.policy))))), 'Routes (first match decides)')),
    section('Issuers', issuers.length, table(['Issuer', 'iss', 'Keys'], issuers.map((i) =>
      h('tr', {},
        h('td', {}, h('code', {}, i.name), i.name === doc.settings?.default_issuer ? h('span', { class: 'tag' }, 'default') : null),
        h('td', {}, i.iss ?? '(none: tokens without iss)'),
        h('td', {}, [
          ...list(i.jwks?.keys).map((k) => h('span', { class: `key${String(k.kid ?? '').startsWith(DEMO_ISSUER) ? ' demo' : ''}` }, `${k.kid ?? '(no kid)'} ${k.alg ?? k.kty}`, String(k.kid ?? '').startsWith(DEMO_ISSUER) ? ' — demo key of this page' : '')),
          i.shared_secret ? h('span', { class: 'key' }, 'shared secret (HS256/384/512)') : null,
        ]))), 'Issuers')));
  $('bundle-view').replaceChildren(view);
  renderStatus();
  fillChoices();
}

/** Fills the selects and suggestion lists from the bundle document. */
function fillChoices() {
  const doc = state.doc;
  const nsSel = $('sa-namespace');
  const prev = nsSel.value;
  nsSel.replaceChildren(...list(doc.namespaces).map((n) => h('option', { value: n.name }, n.name)));
  if (prev && [...nsSel.options].some((o) => o.value === prev)) nsSel.value = prev;
  nsSel.disabled = nsSel.options.length === 0;
  $('sa-submit').disabled = nsSel.disabled;

  const users = list(doc.directory?.users);
  $('sa-user').replaceChildren(...users.map((u) => h('option', { value: u.id }, u.email ? `${u.id} (${u.email})` : u.id)));
  document.querySelector('input[name=kind][value=impersonating]').disabled = users.length === 0;

  $('namespace-names').replaceChildren(...list(doc.namespaces).map((n) => h('option', { value: n.name })));
  $('route-urls').replaceChildren(...list(doc.routes).map((r) => h('option', { value: `${r.from}${r.path ?? r.prefix ?? '/'}` }, r.name)));
  const resources = new Set();
  for (const role of [...list(doc.roles), ...list(doc.cluster_roles)]) {
    for (const rule of list(role.rules)) {
      for (const res of list(rule.resources)) {
        if (res.includes('*')) continue;
        for (const g of list(rule.apiGroups)) if (g !== '*') resources.add(g ? `${res.split('/')[0]}.${g}${res.includes('/') ? `/${res.split('/')[1]}` : ''}` : res);
      }
    }
  }
  $('resources').replaceChildren(...[...resources].sort().map((r) => h('option', { value: r })));
}

// ---------- service accounts ----------

function hideMinted(message) {
  const box = $('sa-result');
  if (!box.querySelector('.once') && !message) {
    box.replaceChildren();
    return;
  }
  box.replaceChildren(message ? h('p', { class: 'hidden-token', id: 'token-hidden' }, message) : '');
}

async function createAccount(ev) {
  ev.preventDefault();
  const box = $('sa-result');
  if (!state.engine) return;
  const form = $('sa-form');
  if (!form.reportValidity()) return;
  const kind = form.querySelector('input[name=kind]:checked').value;
  const expires = $('sa-expires').value;
  const account = {
    namespace: $('sa-namespace').value,
    name: $('sa-name').value.trim(),
    kind,
    id: kind === 'unique' ? $('sa-id').value.trim() || undefined : undefined,
    impersonate: kind === 'impersonating' ? $('sa-user').value : undefined,
    expiresAt: expires ? Math.floor(Date.parse(expires.length === 16 ? `${expires}:00Z` : `${expires}Z`) / 1000) : null,
  };
  try {
    state.demoKey ??= await makeDemoKey();
  } catch (e) {
    box.replaceChildren(h('p', { class: 'error', role: 'alert' }, `WebCrypto could not make a demo key: ${e.message ?? e}`));
    return;
  }
  const { doc, account: sa, audience } = withAccount(state.doc, state.demoKey, account);
  const text = JSON.stringify(doc);
  try {
    state.engine.update(text, now());
  } catch (e) {
    box.replaceChildren(h('div', { class: 'errors', role: 'alert' },
      h('p', { class: 'err-title' }, `The engine refused the account ${account.namespace}/${account.name}:`),
      h('ul', {}, problems(e).items.map(problemItem))));
    return;
  }
  state.doc = doc;
  state.added.add(`${sa.namespace}/${sa.name}`);
  if (!state.label.endsWith(' + playground edits')) state.label += ' + playground edits';
  renderBundle(`account ${sa.namespace}/${sa.name} added`);
  const token = await mintToken(state.demoKey, sa, { now: now(), audience });
  showMinted(sa, token);
  for (const id of ['sa-name', 'sa-id', 'sa-expires']) $(id).value = '';
}

function showMinted(sa, token) {
  const who = `${sa.namespace}/${sa.name}`;
  const status = h('span', { class: 'copy-status', role: 'status' });
  const area = h('textarea', { id: 'minted-token', readonly: true, rows: '4', spellcheck: 'false', 'aria-label': `Token for ${who}` });
  area.value = token;
  const copy = async () => {
    let ok = false;
    try {
      await navigator.clipboard.writeText(token);
      ok = true;
    } catch {
      area.select();
      ok = document.execCommand?.('copy') ?? false;
    }
    status.textContent = ok ? 'Copied.' : 'Copy failed: select the text and copy it.';
  };
  const dismiss = () => {
    hideMinted(`Token for ${who} hidden. It was shown once; create another account for a new one.`);
    $('sa-name').focus();
  };
  $('sa-result').replaceChildren(h('div', { class: 'once', role: 'region', 'aria-labelledby': 'once-h' },
    h('h3', { id: 'once-h' }, `Token for ${who}`),
    h('p', { class: 'warn' }, 'Shown once: copy it now. It is signed with this page’s demo key', sa.expires_at ? `, and expires with the account at ${sa.expires_at}.` : ', with no expiry (valid until revoked).'),
    area,
    h('div', { class: 'row' },
      h('button', { type: 'button', id: 'copy-token', onclick: copy }, 'Copy'),
      h('button', { type: 'button', id: 'use-token', class: 'secondary', onclick: () => { $('token').value = token; verify(); $('token').focus(); } }, 'Use as the token below'),
      h('button', { type: 'button', id: 'hide-token', class: 'secondary', onclick: dismiss }, 'Done: hide it'),
      status)));
  $('copy-token').focus();
}

function syncKind() {
  const imp = document.querySelector('input[name=kind]:checked').value === 'impersonating';
  $('sa-id-field').hidden = imp;
  $('sa-user-field').hidden = !imp;
}

// ---------- identity ----------

function currentToken() {
  return $('token').value.trim();
}

function kv(label, value, id) {
  return h('div', {}, h('dt', {}, label), h('dd', { id }, value));
}

function chips(values) {
  return values.length ? h('span', { class: 'chips' }, values.map((v) => h('code', { class: 'chip' }, v))) : '—';
}

function verify() {
  const out = $('identity');
  if (!state.engine) {
    out.replaceChildren(h('p', { class: 'muted' }, 'Load a bundle first.'));
    return;
  }
  const token = currentToken();
  if (!token) {
    out.replaceChildren(h('p', { class: 'muted' }, 'No token: questions below are asked without one.'));
    return;
  }
  const t0 = performance.now();
  const review = state.engine.verify(token, now());
  const took = performance.now() - t0;
  if (!review.authenticated) {
    const header = jwtPart(token, 0);
    out.replaceChildren(h('div', { class: 'verdict deny' },
      h('p', { class: 'badge' }, 'Refused'),
      h('dl', { class: 'kv' },
        kv('Reason', h('code', { id: 'identity-reason' }, review.reason ?? 'unknown')),
        kv('Why', review.error ?? '—', 'identity-error'),
        header ? kv('Token header', h('code', {}, JSON.stringify(header))) : null,
        kv('Verified in', ms(took)))));
    return;
  }
  const id = review.identity;
  const u = review.user;
  const extra = Object.entries(u.extra ?? {});
  out.replaceChildren(h('div', { class: 'verdict allow' },
    h('p', { class: 'badge' }, 'Authenticated'),
    h('dl', { class: 'kv' },
      kv('User name', h('code', {}, u.username), 'identity-username'),
      kv('uid', h('code', {}, u.uid), 'identity-uid'),
      kv('Groups', chips(u.groups), 'identity-groups'),
      kv('Extra', extra.length ? h('ul', { class: 'plain' }, extra.map(([k, v]) => h('li', {}, h('code', {}, k), ': ', v.join(', ')))) : '—', 'identity-extra'),
      kv('Namespace', h('code', {}, id.namespace), 'identity-namespace'),
      kv('Service account', h('code', {}, `${id.namespace}/${id.service_account}`), 'identity-account'),
      kv('Kind', id.kind),
      kv('User ID', h('code', {}, id.user_id)),
      id.email ? kv('Email', id.email) : null,
      kv('Expires', id.expires_at != null ? when(id.expires_at) : 'never (valid until revoked)', 'identity-expiry'),
      kv('Token', `${id.format} from issuer ${id.issuer}${id.token_id ? `, id ${id.token_id}` : ''}`),
      kv('Verified in', ms(took)))));
}

let reverifyTimer;
function reverify() {
  clearTimeout(reverifyTimer);
  reverifyTimer = setTimeout(verify, 200);
}

// ---------- questions ----------

function showDecision(question, d, took) {
  const identity = d.identity ? `${d.identity.username} (${d.identity.namespace}/${d.identity.service_account})` : 'no identity';
  $('decision').replaceChildren(h('div', { class: `verdict ${d.allowed ? 'allow' : 'deny'}`, id: 'decision-verdict', 'data-allowed': String(d.allowed) },
    h('p', { class: 'badge' }, d.allowed ? 'Allowed' : 'Not allowed', h('span', { class: 'status-code' }, String(d.status))),
    h('p', { class: 'question-text' }, question),
    h('dl', { class: 'kv' },
      kv('Reasons', chips(d.reasons ?? []), 'decision-reasons'),
      kv('Explanation', d.explanation || '—', 'decision-explanation'),
      d.route ? kv('Route', h('code', {}, d.route), 'decision-route') : null,
      kv('Caller', identity),
      kv('Revision', String(d.revision)),
      kv('Decided in', `${ms(took)} in this page`, 'decision-time-taken'))));
}

function askHttp(ev) {
  ev.preventDefault();
  if (!state.engine) return;
  const method = $('http-method').value;
  const url = $('http-url').value.trim();
  const token = currentToken();
  const t0 = performance.now();
  const d = state.engine.checkHttp(method, url, token ? `Bearer ${token}` : undefined, undefined, now());
  const took = performance.now() - t0;
  showDecision(`${method} ${url} ${token ? 'with the token' : 'without a token'}`, d, took);
}

function askRbac(ev) {
  ev.preventDefault();
  if (!state.engine) return;
  const verb = $('rbac-verb').value.trim();
  const resource = $('rbac-resource').value.trim();
  const namespace = $('rbac-namespace').value.trim();
  const name = $('rbac-name').value.trim();
  const token = currentToken();
  const t0 = performance.now();
  const d = state.engine.can(token, verb, resource, namespace, name || undefined, now());
  const took = performance.now() - t0;
  showDecision(`may the token's identity ${verb} ${resource}${name ? ` "${name}"` : ''} ${namespace ? `in namespace ${namespace}` : 'cluster-wide'}?`, d, took);
}

// ---------- wiring ----------

function wire() {
  $('load-example').addEventListener('click', () => loadUrl('/examples/bundle.json', 'the example bundle'));
  $('url-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const url = $('bundle-url').value.trim();
    if (url) loadUrl(url);
  });
  $('paste-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const text = $('bundle-text').value;
    if (text.trim()) loadBundle(text, 'pasted JSON');
    else showBundleErrors('Nothing to load:', { head: null, items: ['paste a bundle (JSON) first'] });
  });
  $('bundle-file').addEventListener('change', () => {
    const f = $('bundle-file').files?.[0];
    if (f) loadFile(f);
  });
  const card = $('bundle-card');
  card.addEventListener('dragover', (ev) => {
    if (![...(ev.dataTransfer?.types ?? [])].includes('Files')) return;
    ev.preventDefault();
    card.classList.add('dragging');
  });
  card.addEventListener('dragleave', (ev) => {
    if (!card.contains(ev.relatedTarget)) card.classList.remove('dragging');
  });
  card.addEventListener('drop', (ev) => {
    card.classList.remove('dragging');
    const f = ev.dataTransfer?.files?.[0];
    if (!f) return;
    ev.preventDefault();
    loadFile(f);
  });
  $('sa-form').addEventListener('submit', createAccount);
  for (const r of document.querySelectorAll('input[name=kind]')) r.addEventListener('change', syncKind);
  $('token-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    verify();
  });
  $('token').addEventListener('input', reverify);
  $('token-clear').addEventListener('click', () => {
    $('token').value = '';
    verify();
    $('token').focus();
  });
  $('decision-time').addEventListener('change', reverify);
  $('http-form').addEventListener('submit', askHttp);
  $('rbac-form').addEventListener('submit', askRbac);
}

async function main() {
  wire();
  const t0 = performance.now();
  try {
    await ready();
  } catch (e) {
    $('engine-state').textContent = `failed to start: ${e.message ?? e}`;
    return;
  }
  $('engine-state').textContent = `ready in ${ms(performance.now() - t0)}`;
  $('engine-source').textContent = `Engine: ${engineSource}.`;
  document.body.dataset.engine = 'ready';
  const params = new URLSearchParams(location.search);
  if (params.has('bundle')) await loadUrl(params.get('bundle'));
  else if (!params.has('empty')) await loadUrl('/examples/bundle.json', 'the example bundle');
  verify();
}

main();
