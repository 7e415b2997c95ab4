// SVG charts of a bench run, written by hand (no chart dependency): horizontal bars for a table,
// lines for a sweep. Every chart carries its title and the run's machine note, so a chart copied
// out of context still says where its figures come from.

const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
const FONT = 'font-family="system-ui, sans-serif"';
const COLORS = ["#2b6cb0", "#c05621", "#2f855a", "#6b46c1", "#b83280", "#4a5568"];

function frame(width, height, title, note, body) {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT}>
<rect width="100%" height="100%" fill="#fff"/>
<text x="12" y="22" font-size="15" font-weight="600">${esc(title)}</text>
<text x="12" y="${height - 8}" font-size="11" fill="#555">${esc(note)}</text>
${body}
</svg>
`;
}

/** Bars: rows [{ label, value, text }], value on a linear scale from 0. */
export function barChart({ title, note, rows, unit }) {
  const labelWidth = 450;
  const barWidth = 420;
  const rowHeight = 24;
  const top = 36;
  const max = Math.max(...rows.map((r) => r.value), 1e-9);
  const height = top + rows.length * rowHeight + 34;
  const body = rows.map((r, i) => {
    const y = top + i * rowHeight;
    const w = Math.max(1, (r.value / max) * barWidth);
    return `<text x="${labelWidth - 8}" y="${y + 16}" font-size="12" text-anchor="end">${esc(r.label)}</text>
<rect x="${labelWidth}" y="${y + 4}" width="${w.toFixed(1)}" height="${rowHeight - 8}" fill="${r.highlight ? COLORS[1] : COLORS[0]}"/>
<text x="${(labelWidth + w + 6).toFixed(1)}" y="${y + 16}" font-size="12">${esc(r.text ?? `${r.value.toFixed(0)} ${unit}`)}</text>`;
  }).join("\n");
  return frame(labelWidth + barWidth + 150, height, title, note, body);
}

/** Lines: x values (shown on a log scale when `logX`), series [{ name, values }] against them. */
export function lineChart({ title, note, xLabel, yLabel, xs, series, logX = false }) {
  const left = 70, top = 40, plotW = 560, plotH = 260;
  const width = left + plotW + 190, height = top + plotH + 70;
  const fx = logX ? Math.log : (x) => x;
  const [x0, x1] = [fx(xs[0]), fx(xs[xs.length - 1])];
  const yMax = Math.max(...series.flatMap((s) => s.values.filter(Number.isFinite)), 1e-9) * 1.1;
  const px = (x) => left + (x1 === x0 ? plotW / 2 : ((fx(x) - x0) / (x1 - x0)) * plotW);
  const py = (y) => top + plotH - (y / yMax) * plotH;
  const parts = [`<rect x="${left}" y="${top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999"/>`];
  for (let i = 0; i <= 4; i++) {
    const y = (yMax / 4) * i;
    parts.push(`<line x1="${left}" x2="${left + plotW}" y1="${py(y).toFixed(1)}" y2="${py(y).toFixed(1)}" stroke="#eee"/>`,
      `<text x="${left - 6}" y="${(py(y) + 4).toFixed(1)}" font-size="11" text-anchor="end">${y >= 10 ? y.toFixed(0) : y.toFixed(1)}</text>`);
  }
  for (const x of xs) {
    parts.push(`<text x="${px(x).toFixed(1)}" y="${top + plotH + 16}" font-size="11" text-anchor="middle">${esc(x)}</text>`);
  }
  parts.push(`<text x="${left + plotW / 2}" y="${top + plotH + 34}" font-size="12" text-anchor="middle">${esc(xLabel)}</text>`,
    `<text x="16" y="${top + plotH / 2}" font-size="12" transform="rotate(-90 16 ${top + plotH / 2})" text-anchor="middle">${esc(yLabel)}</text>`);
  series.forEach((s, k) => {
    const color = COLORS[k % COLORS.length];
    const points = xs.map((x, i) => [x, s.values[i]]).filter(([, y]) => Number.isFinite(y));
    parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${points.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(" ")}"/>`);
    for (const [x, y] of points) parts.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="3" fill="${color}"/>`);
    parts.push(`<rect x="${left + plotW + 14}" y="${top + k * 18}" width="12" height="4" fill="${color}"/>`,
      `<text x="${left + plotW + 32}" y="${top + k * 18 + 6}" font-size="12">${esc(s.name)}</text>`);
  });
  return frame(width, height, title, note, parts.join("\n"));
}
