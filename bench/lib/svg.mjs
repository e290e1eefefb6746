// A small SVG chart writer for bench/RESULTS.md: horizontal bars and lines, no dependencies.
// Two static charts do not justify a charting library and its headless renderer; this file is the
// whole of it, and its output is plain, diffable SVG that GitHub renders in the README.

const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif"';
const PALETTE = ['#1f6feb', '#d1242f', '#1a7f37', '#9a6700', '#8250df', '#57606a'];

function escape(text) {
  return String(text).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
}

function niceStep(max, ticks) {
  const raw = max / ticks;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw);
  return step ?? 10 * power;
}

function format(value) {
  if (value === 0) return '0';
  if (value >= 10_000) return `${Math.round(value / 1000)}k`;
  if (value >= 1000) return `${(value / 1000).toFixed(1)}k`;
  if (value >= 10) return value.toFixed(0);
  return value.toFixed(value >= 1 ? 1 : 2);
}

/**
 * Horizontal bars, one per row: `bars` = [{ label, value, note?, color? }].
 * @returns the SVG text
 */
export function barChart({ title, subtitle = '', unit, bars }) {
  const width = 760;
  const labelWidth = 270;
  const rowHeight = 34;
  const top = subtitle ? 64 : 48;
  const plotWidth = width - labelWidth - 150;
  const height = top + bars.length * rowHeight + 40;
  const max = Math.max(...bars.map((bar) => bar.value), 1);
  const step = niceStep(max, 5);
  const axisMax = Math.ceil(max / step) * step;
  const x = (value) => labelWidth + (value / axisMax) * plotWidth;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escape(title)}">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="16" y="26" ${FONT} font-size="17" font-weight="600" fill="#1f2328">${escape(title)}</text>`,
  ];
  if (subtitle) parts.push(`<text x="16" y="46" ${FONT} font-size="12" fill="#57606a">${escape(subtitle)}</text>`);
  for (let tick = 0; tick <= axisMax + 1e-9; tick += step) {
    parts.push(`<line x1="${x(tick)}" y1="${top - 6}" x2="${x(tick)}" y2="${top + bars.length * rowHeight}" stroke="#d0d7de" stroke-width="1"/>`);
    parts.push(
      `<text x="${x(tick)}" y="${top + bars.length * rowHeight + 16}" ${FONT} font-size="11" fill="#57606a" text-anchor="middle">${format(tick)}</text>`,
    );
  }
  parts.push(`<text x="${labelWidth + plotWidth / 2}" y="${height - 6}" ${FONT} font-size="11" fill="#57606a" text-anchor="middle">${escape(unit)}</text>`);
  bars.forEach((bar, i) => {
    const y = top + i * rowHeight;
    const color = bar.color ?? PALETTE[0];
    parts.push(`<text x="${labelWidth - 10}" y="${y + 20}" ${FONT} font-size="13" fill="#1f2328" text-anchor="end">${escape(bar.label)}</text>`);
    parts.push(`<rect x="${labelWidth}" y="${y + 6}" width="${Math.max(1, x(bar.value) - labelWidth)}" height="${rowHeight - 12}" rx="3" fill="${color}"/>`);
    const note = bar.note ? `  ${bar.note}` : '';
    parts.push(`<text x="${x(bar.value) + 6}" y="${y + 21}" ${FONT} font-size="12" fill="#1f2328">${escape(format(bar.value) + note)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}

/**
 * Lines over a shared x axis: `xs` numbers, `series` = [{ name, values, color?, dashed? }].
 * `logX` spaces x by log2 (instance counts 1, 2, 4, 8, 16).
 * @returns the SVG text
 */
export function lineChart({ title, subtitle = '', xLabel, yLabel, xs, series, logX = false, yMax }) {
  const width = 760;
  const height = 380;
  const left = 70;
  const right = 230;
  const top = subtitle ? 68 : 52;
  const bottom = 52;
  const plotWidth = width - left - right;
  const plotHeight = height - top - bottom;
  const values = series.flatMap((s) => s.values.filter((v) => Number.isFinite(v)));
  const max = yMax ?? Math.max(...values, 1);
  const step = niceStep(max, 5);
  const axisMax = Math.ceil(max / step) * step;
  const xPos = (value) => {
    const [lo, hi] = logX ? [Math.log2(xs[0]), Math.log2(xs[xs.length - 1])] : [xs[0], xs[xs.length - 1]];
    const v = logX ? Math.log2(value) : value;
    return left + (hi === lo ? plotWidth / 2 : ((v - lo) / (hi - lo)) * plotWidth);
  };
  const yPos = (value) => top + plotHeight - (value / axisMax) * plotHeight;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escape(title)}">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="16" y="26" ${FONT} font-size="17" font-weight="600" fill="#1f2328">${escape(title)}</text>`,
  ];
  if (subtitle) parts.push(`<text x="16" y="46" ${FONT} font-size="12" fill="#57606a">${escape(subtitle)}</text>`);
  for (let tick = 0; tick <= axisMax + 1e-9; tick += step) {
    parts.push(`<line x1="${left}" y1="${yPos(tick)}" x2="${left + plotWidth}" y2="${yPos(tick)}" stroke="#d0d7de" stroke-width="1"/>`);
    parts.push(`<text x="${left - 8}" y="${yPos(tick) + 4}" ${FONT} font-size="11" fill="#57606a" text-anchor="end">${format(tick)}</text>`);
  }
  for (const value of xs) {
    parts.push(`<line x1="${xPos(value)}" y1="${top + plotHeight}" x2="${xPos(value)}" y2="${top + plotHeight + 5}" stroke="#57606a"/>`);
    parts.push(`<text x="${xPos(value)}" y="${top + plotHeight + 19}" ${FONT} font-size="11" fill="#57606a" text-anchor="middle">${value}</text>`);
  }
  parts.push(`<line x1="${left}" y1="${top + plotHeight}" x2="${left + plotWidth}" y2="${top + plotHeight}" stroke="#57606a"/>`);
  parts.push(`<text x="${left + plotWidth / 2}" y="${height - 10}" ${FONT} font-size="12" fill="#57606a" text-anchor="middle">${escape(xLabel)}</text>`);
  parts.push(
    `<text x="18" y="${top + plotHeight / 2}" ${FONT} font-size="12" fill="#57606a" text-anchor="middle" transform="rotate(-90 18 ${top + plotHeight / 2})">${escape(yLabel)}</text>`,
  );
  series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length];
    const points = xs.map((value, j) => [value, s.values[j]]).filter(([, v]) => Number.isFinite(v));
    const path = points.map(([value, v], j) => `${j ? 'L' : 'M'}${xPos(value).toFixed(1)},${yPos(v).toFixed(1)}`).join(' ');
    parts.push(`<path d="${path}" fill="none" stroke="${color}" stroke-width="2.5"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
    for (const [value, v] of points) parts.push(`<circle cx="${xPos(value).toFixed(1)}" cy="${yPos(v).toFixed(1)}" r="3.5" fill="${color}"/>`);
    const legendY = top + 8 + i * 22;
    parts.push(
      `<line x1="${left + plotWidth + 18}" y1="${legendY}" x2="${left + plotWidth + 40}" y2="${legendY}" stroke="${color}" stroke-width="2.5"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
    );
    parts.push(`<text x="${left + plotWidth + 46}" y="${legendY + 4}" ${FONT} font-size="12" fill="#1f2328">${escape(s.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
