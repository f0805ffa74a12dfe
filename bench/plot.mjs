// Writes an SVG plot (hand-written, no dependencies) of decision latency and load time against
// bundle size, from a results file of bench/run.mjs.
//   node bench/plot.mjs [bench/results/results-full.json] [docs/performance-latency.svg]
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;');

function panel({ x0, y0, w, h, title, ylabel, series, xs, yLog }) {
  const all = series.flatMap((s) => s.values).filter((v) => Number.isFinite(v) && v > 0);
  const lx = (v) => Math.log10(v);
  const [xmin, xmax] = [lx(Math.min(...xs)), lx(Math.max(...xs))];
  let ymin = yLog ? Math.floor(Math.log10(Math.min(...all))) : 0;
  let ymax = yLog ? Math.ceil(Math.log10(Math.max(...all))) : Math.max(...all) * 1.15;
  if (yLog && ymax === ymin) ymax++;
  const px = (v) => x0 + ((lx(v) - xmin) / (xmax - xmin || 1)) * w;
  const py = (v) => y0 + h - (((yLog ? Math.log10(v) : v) - ymin) / (ymax - ymin)) * h;
  const out = [];
  out.push(`<text x="${x0 + w / 2}" y="${y0 - 14}" text-anchor="middle" font-weight="bold">${esc(title)}</text>`);
  out.push(`<rect x="${x0}" y="${y0}" width="${w}" height="${h}" fill="none" stroke="#999"/>`);
  const yticks = yLog ? Array.from({ length: ymax - ymin + 1 }, (_, k) => 10 ** (ymin + k)) : Array.from({ length: 6 }, (_, k) => (ymax * k) / 5);
  for (const t of yticks) {
    const y = py(t);
    out.push(`<line x1="${x0}" x2="${x0 + w}" y1="${y}" y2="${y}" stroke="#eee"/>`);
    out.push(`<text x="${x0 - 6}" y="${y + 4}" text-anchor="end" font-size="11">${t >= 100 || t === 0 ? t.toFixed(0) : t < 1 ? t.toFixed(2) : t.toFixed(1)}</text>`);
  }
  for (const xv of xs) {
    const x = px(xv);
    out.push(`<line x1="${x}" x2="${x}" y1="${y0}" y2="${y0 + h}" stroke="#eee"/>`);
    out.push(`<text x="${x}" y="${y0 + h + 16}" text-anchor="middle" font-size="11">${xv.toLocaleString('en')}</text>`);
  }
  out.push(`<text x="${x0 + w / 2}" y="${y0 + h + 34}" text-anchor="middle" font-size="12">service accounts in the bundle (bindings = 2x)</text>`);
  out.push(`<text transform="translate(${x0 - 48},${y0 + h / 2}) rotate(-90)" text-anchor="middle" font-size="12">${esc(ylabel)}</text>`);
  series.forEach((s, k) => {
    const pts = xs.map((xv, i) => [xv, s.values[i]]).filter(([, v]) => Number.isFinite(v) && v > 0);
    out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2" ${s.dash ? 'stroke-dasharray="5,4"' : ''} points="${pts.map(([a, b]) => `${px(a).toFixed(1)},${py(b).toFixed(1)}`).join(' ')}"/>`);
    for (const [a, b] of pts) out.push(`<circle cx="${px(a).toFixed(1)}" cy="${py(b).toFixed(1)}" r="3" fill="${s.color}"/>`);
    const ly = y0 + h + 56 + k * 16;
    out.push(`<line x1="${x0 + 10}" x2="${x0 + 30}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2" ${s.dash ? 'stroke-dasharray="5,4"' : ''}/>`);
    out.push(`<text x="${x0 + 36}" y="${ly + 4}" font-size="11">${esc(s.name)}</text>`);
  });
  return out.join('\n');
}

export function plot(results) {
  const sc = results.scale;
  const xs = sc.map((s) => s.accounts);
  const us = (ns) => (Number.isFinite(ns) ? ns / 1000 : NaN);
  const W = 920, H = 440;
  const body = [
    panel({ x0: 80, y0: 50, w: 340, h: 260, title: 'Warm decision latency (median)', ylabel: 'microseconds per decision (log)', xs, yLog: true,
      series: [
        { name: 'tessera can() in wasm', color: '#1f77b4', values: sc.map((s) => us(s.decision_ns)) },
        { name: 'tessera checkHttp() in wasm', color: '#2ca02c', values: sc.map((s) => us(s.http_ns)) },
        { name: 'tessera native authorize', color: '#ff7f0e', dash: true, values: sc.map((s) => us(s.native_decision_ns)) },
      ] }),
    panel({ x0: 540, y0: 50, w: 340, h: 260, title: 'Bundle load time (median)', ylabel: 'milliseconds (log)', xs, yLog: true,
      series: [
        { name: 'wasm (new Engine)', color: '#1f77b4', values: sc.map((s) => s.load_ms) },
        { name: 'native (Engine::from_json)', color: '#ff7f0e', dash: true, values: sc.map((s) => s.native_load_ms) },
      ] }),
  ];
  const note = `${results.env.cpu}, ${results.env.cores} cores, Node ${results.env.node}, tessera ${results.env.tessera_commit}, ${results.date.slice(0, 10)} (bench/run.sh --${results.mode})`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
${body.join('\n')}
<text x="${W / 2}" y="${H - 12}" text-anchor="middle" font-size="11" fill="#555">${esc(note)}</text>
</svg>
`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const input = process.argv[2] ?? new URL('./results/results-full.json', import.meta.url).pathname;
  const output = process.argv[3] ?? new URL('../docs/performance-latency.svg', import.meta.url).pathname;
  writeFileSync(output, plot(JSON.parse(readFileSync(input, 'utf8'))));
  console.log(`wrote ${output}`);
}
