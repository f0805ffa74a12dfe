// Regenerates the measured parts of docs/performance.md from a results file: every block
// between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->` is replaced, the prose around them is
// kept; then rewrites docs/performance-latency.svg (bench/plot.mjs).
//   node bench/report.mjs [bench/results/results-full.json]
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { coldBreakdownMarkdown } from './cold-breakdown.mjs';
import { RUNTIMES_COLUMNS, runtimesRows } from './runtimes.mjs';
import { plot } from './plot.mjs';
import { fmtBytes, fmtNs, fmtX } from './lib/stats.mjs';
import { againstBest, speedupOverJose } from './lib/ratios.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const input = process.argv[2] ?? path.join(here, 'results/results-full.json');
const docPath = path.join(here, '../docs/performance.md');
const svgPath = path.join(here, '../docs/performance-latency.svg');
const r = JSON.parse(readFileSync(input, 'utf8'));

const md = (headers, rows) =>
  [`| ${headers.join(' | ')} |`, `|${headers.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
const ms = (v) => (Number.isFinite(v) ? v.toFixed(v < 10 ? 2 : 1) : 'n/a');

const blocks = {};
blocks.env = md(['what', 'value'], [
  ['run', `\`bench/run.sh --${r.mode}\`, ${r.date}`],
  ...Object.entries(r.env).map(([k, v]) => [k, `\`${v}\``]),
]);
blocks.coldsplit = r.cold_breakdown ? coldBreakdownMarkdown(r.cold_breakdown) : '(not in this results file)';
blocks.size = md(['file', 'raw', 'gzip -9', 'brotli 11'], [
  [`tessera \`tessera_bg.wasm\`${r.size.file ? ` (\`${r.size.file}\`)` : ''}`, ...Object.values(r.size.tessera_wasm).map((b) => `${fmtBytes(b)} (${b.toLocaleString('en')})`)],
  ['tessera `tessera.js` (nodejs glue)', ...Object.values(r.size.tessera_js).map(fmtBytes)],
  ['`@cedar-policy/cedar-wasm` `cedar_wasm_bg.wasm`', ...Object.values(r.size.cedar_wasm).map(fmtBytes)],
]);
blocks.agreement = `${r.agreement.questions} questions (${r.agreement.allowed} allowed, the rest denied: other namespace, role without pods, tampered signature) over RS256, ES256, EdDSA and HS256 tokens; contenders: ${r.agreement.contenders.filter((c) => c !== 'expected').join(', ')}; **${r.agreement.disagreements.length === 0 ? 'all agree with each other and with the expected answers' : `${r.agreement.disagreements.length} disagreements`}**.`;
const headline = r.warm_headline ?? 'tessera can()';
const tw = r.warm[headline];
blocks.warm = md(['contender', 'median per call', `ratio to ${headline}`], Object.entries(r.warm).map(([k, v]) => [k, fmtNs(v), k === headline ? '1' : fmtX(v / tw)]));
blocks.cold = md(['alg', 'tessera (wasm, node:crypto)', 'tessera WebCrypto (async)', 'jose + lookup', 'fast-jwt + lookup', 'tessera \\| jose, in a rotation of their own', 'tessera native', 'tessera / best of jose, fast-jwt', 'WebCrypto path / jose', 'jose / tessera', 'wasm / native'],
  Object.entries(r.cold).map(([alg, c]) => {
    const best = againstBest(c);
    const hs = speedupOverJose(c);
    // Older results files have no pair of their own: their ratios to jose span two rotations.
    const span = (sameRotation) => (sameRotation ? '' : ' (two rotations)');
    return [alg, fmtNs(c.tessera), c['tessera WebCrypto'] ? fmtNs(c['tessera WebCrypto']) : 'n/a (HMAC in the module)', fmtNs(c.jose), fmtNs(c['fast-jwt']),
      c['tessera beside jose'] ? `${fmtNs(c['tessera beside jose'])} \\| ${fmtNs(c['jose beside tessera'])}` : 'n/a',
      fmtNs(c.native), `${fmtX(best.ratio)} vs ${best.who}${span(best.sameRotation)}`, c['tessera WebCrypto'] ? fmtX(c['tessera WebCrypto'] / c.jose) : 'n/a', `${fmtX(hs.ratio)}${span(hs.sameRotation)}`, fmtX(c.tessera / c.native)];
  }));
blocks.coldstart = md(['contender (what is imported)', 'import + instantiate (ms)', 'load bundle (ms)', 'first decision (ms)', 'total in process (ms)', 'whole process incl. node boot (ms)'],
  Object.entries(r.cold_start).map(([k, c]) => [c.how ?? k, ms(c.import_ms), ms(c.load_ms), ms(c.first_ms), `**${ms(c.total_ms)}**`, ms(c.wall_ms)]));
blocks.scale = md(['accounts', 'bindings', 'namespaces', 'bundle JSON', 'load, wasm: first (median) (ms)', 'load, native (ms)', 'wasm memory', 'process rss', 'decision `can()`, wasm', '`checkHttp()`, wasm', 'decision, native'],
  r.scale.map((s) => [s.accounts.toLocaleString('en'), s.bindings.toLocaleString('en'), s.namespaces.toLocaleString('en'), fmtBytes(s.bundle_bytes), s.first_load_ms === undefined ? ms(s.load_ms) : `${ms(s.first_load_ms)} (${ms(s.load_ms)})`, ms(s.native_load_ms), fmtBytes(s.wasm_memory_after), fmtBytes(s.rss_after), fmtNs(s.decision_ns), fmtNs(s.http_ns), fmtNs(s.native_decision_ns)]));
blocks.flat = `${r.flat.decisions.toLocaleString('en')} decisions in ${r.flat.seconds.toFixed(1)} s (after a fill phase that put all 20,000 rotating tokens through the cache once); each sample taken after a full garbage collection:\n\n` +
  md(['decisions', 'wasm memory', 'rss', 'JS heap used'], r.flat.samples.map((s) => [s.decisions.toLocaleString('en'), `${(s.wasm / 2 ** 20).toFixed(2)} MB`, fmtBytes(s.rss), fmtBytes(s.heap)]));
blocks.profile = (r.profile ?? []).map((p) => `**${p.label}**: ${(p.wasm_share * 100).toFixed(0)}% of the samples inside wasm code.\n\n` +
  md(['function (self time; wasm names are stripped from the release module)', 'share'], p.top.map((t) => [`\`${t.fn}\``, `${(t.share * 100).toFixed(1)}%`]))).join('\n\n') || '(profile runs in --full mode only)';
const rt = r.runtimes;
blocks.runtimes = !rt ? '(not in this results file)' : rt.skipped ? `Not run: ${rt.skipped}.` :
  `${rt.rounds} rounds per algorithm; batches of ${Object.entries(rt.batch).map(([a, n]) => `${n} ${a}`).join(', ')} questions (${Object.values(rt.sync_batch).join(', ')} for the synchronous call), the empty batch's round trip taken away; ${Object.values(rt.runtimes).map((x) => x.version).join(', ')}:\n\n` +
  md(RUNTIMES_COLUMNS, runtimesRows(rt));
blocks.targets = md(['target', 'goal', 'measured', 'result'], r.targets.map((t) => [t.name, t.goal, t.value, t.pass === null ? 'not run' : t.pass ? '**PASS**' : '**MISS**']));

let doc = readFileSync(docPath, 'utf8');
for (const [name, text] of Object.entries(blocks)) {
  const re = new RegExp(`(<!-- bench:${name} -->)[\\s\\S]*?(<!-- /bench:${name} -->)`);
  if (!re.test(doc)) {
    console.error(`report: marker bench:${name} not found in docs/performance.md`);
    continue;
  }
  doc = doc.replace(re, (_, a, b) => `${a}\n${text}\n${b}`);
}
writeFileSync(docPath, doc);
writeFileSync(svgPath, plot(r));
console.log(`report: updated ${path.relative(process.cwd(), docPath)} and ${path.relative(process.cwd(), svgPath)} from ${path.relative(process.cwd(), input)}`);
