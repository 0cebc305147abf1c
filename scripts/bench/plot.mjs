// The benchmark's plot, as a small hand-written SVG (no plotting dependency): on the left, latency
// percentiles against offered load (log scale); on the right, throughput by stage against offered load.
const W = 980;
const H = 420;
const PANEL = { w: 400, h: 300, top: 60 };
const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b'];

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;');

function panel(x0, title, xs, series, yLabel, logY) {
  const maxX = Math.max(...xs);
  const minX = Math.min(...xs);
  const values = series.flatMap((s) => s.values).filter((v) => Number.isFinite(v) && v > 0);
  const maxY = Math.max(1, ...values) * 1.1;
  const minY = logY ? Math.max(0.5, Math.min(...values) / 1.5) : 0;
  const px = (x) => x0 + 50 + ((Math.log(x) - Math.log(minX)) / Math.max(1e-9, Math.log(maxX) - Math.log(minX))) * (PANEL.w - 60);
  const py = (y) => {
    const f = logY ? (Math.log(Math.max(y, minY)) - Math.log(minY)) / (Math.log(maxY) - Math.log(minY)) : y / maxY;
    return PANEL.top + PANEL.h - f * PANEL.h;
  };
  const out = [];
  out.push(`<text x="${x0 + 50}" y="${PANEL.top - 25}" font-size="14" font-weight="bold">${esc(title)}</text>`);
  out.push(`<rect x="${x0 + 50}" y="${PANEL.top}" width="${PANEL.w - 60}" height="${PANEL.h}" fill="none" stroke="#999"/>`);
  for (const x of xs) {
    out.push(`<line x1="${px(x)}" y1="${PANEL.top + PANEL.h}" x2="${px(x)}" y2="${PANEL.top + PANEL.h + 5}" stroke="#333"/>`);
    out.push(`<text x="${px(x)}" y="${PANEL.top + PANEL.h + 18}" font-size="10" text-anchor="middle">${x}</text>`);
  }
  const ticks = logY ? [1, 10, 100, 1000, 10000, 100000].filter((t) => t >= minY && t <= maxY) : [0, 0.25, 0.5, 0.75, 1].map((f) => Math.round(f * maxY));
  for (const t of ticks) {
    out.push(`<line x1="${x0 + 45}" y1="${py(t)}" x2="${x0 + PANEL.w - 10}" y2="${py(t)}" stroke="#eee"/>`);
    out.push(`<text x="${x0 + 42}" y="${py(t) + 3}" font-size="10" text-anchor="end">${t}</text>`);
  }
  out.push(`<text x="${x0 + 50 + (PANEL.w - 60) / 2}" y="${PANEL.top + PANEL.h + 35}" font-size="11" text-anchor="middle">offered load (orders/s)</text>`);
  out.push(`<text x="${x0 + 12}" y="${PANEL.top + PANEL.h / 2}" font-size="11" text-anchor="middle" transform="rotate(-90 ${x0 + 12} ${PANEL.top + PANEL.h / 2})">${esc(yLabel)}</text>`);
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    const points = xs.map((x, j) => [x, s.values[j]]).filter(([, v]) => Number.isFinite(v));
    out.push(`<polyline fill="none" stroke="${color}" stroke-width="2" ${s.dashed ? 'stroke-dasharray="5,3"' : ''} points="${points.map(([x, v]) => `${px(x).toFixed(1)},${py(v).toFixed(1)}`).join(' ')}"/>`);
    for (const [x, v] of points) out.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(v).toFixed(1)}" r="2.5" fill="${color}"/>`);
    out.push(`<text x="${x0 + 60}" y="${PANEL.top + 14 + i * 14}" font-size="11" fill="${color}">${esc(s.name)}</text>`);
  });
  return out.join('\n');
}

export function plot(open, closed) {
  const xs = open.steps.map((s) => s.offered);
  const latency = [
    { name: 'intake p50', values: open.steps.map((s) => s.intake.p50) },
    { name: 'intake p99', values: open.steps.map((s) => s.intake.p99), dashed: true },
    { name: 'saga overhead p50', values: open.steps.map((s) => s.overhead.p50) },
    { name: 'saga overhead p99', values: open.steps.map((s) => s.overhead.p99), dashed: true },
  ];
  const stages = ['placed', 'reserved', 'brewing', 'brewed', 'finished'].map((name) => ({ name: `${name} /s`, values: open.steps.map((s) => s.stageRates[name]) }));
  stages.unshift({ name: 'offered', values: xs, dashed: true });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
<text x="10" y="18" font-size="13">Unmanned Cafe saga, open loop over ${open.stores} stores, brewing ${open.brewSeconds} s, ${open.stepSeconds} s per rate; closed loop: ${closed.roundTripsPerOrder.toFixed(2)} table round trips and ${closed.eventsPerOrder.toFixed(2)} events per order</text>
${panel(0, 'Latency (ms, log scale)', xs, latency, 'ms', true)}
${panel(490, 'Throughput by stage (orders/s)', xs, stages, 'orders/s', false)}
</svg>
`;
}
