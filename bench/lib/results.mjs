/**
 * One result row: { name, value, unit, baseline?: { name, value }, ratio? }, where ratio is
 * value / baseline.value.
 */
export function row(name, value, unit, baseline) {
  if (!baseline) return { name, value, unit };
  return { name, value, unit, baseline, ratio: round(value / baseline.value, 3) };
}

export function round(value, digits = 0) {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

export const formatNumber = (value) => value.toLocaleString('en-US', { maximumFractionDigits: 1 });

/** The rows as a plain-text table. */
export function formatTable(rows) {
  const header = ['name', 'value', 'unit', 'baseline', 'ratio'];
  const cells = rows.map((r) => [
    r.name,
    formatNumber(r.value),
    r.unit,
    r.baseline ? `${r.baseline.name}: ${formatNumber(r.baseline.value)}` : '',
    r.ratio === undefined ? '' : `${(r.ratio * 100).toFixed(1)} %`,
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...cells.map((line) => line[i].length)));
  const rightAligned = new Set([1, 4]);
  const format = (line) =>
    line
      .map((cell, i) => (rightAligned.has(i) ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [format(header), widths.map((width) => '-'.repeat(width)).join('  '), ...cells.map(format)].join('\n');
}
