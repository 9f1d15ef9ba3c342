// A bar chart of ops/s, ours beside each peer, for encode and decode of the typical event.

/** Text for an SVG element: `&`, `<` and `>` escaped. */
export const escapeXml = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** Renders one event's results as a standalone SVG. */
export function chart(result, machine) {
  const colors = ["#2563eb", "#9ca3af", "#f59e0b", "#10b981", "#ef4444"];
  const ops = ["encode", "decode"];
  const max = Math.max(...result.candidates.flatMap((c) => ops.map((op) => c[op] ?? 0)));
  const barH = 18;
  const _groupH = result.candidates.length * (barH + 4) + 30;
  const left = 330;
  const width = 900;
  const scale = (width - left - 90) / max;
  const rows = [];
  let y = 50;
  for (const op of ops) {
    rows.push(`<text x="10" y="${y}" font-weight="bold">${op}, ${escapeXml(result.event)} event (ops/s, higher is better)</text>`);
    y += 12;
    result.candidates.forEach((c, i) => {
      const v = c[op];
      rows.push(`<text x="${left - 8}" y="${y + 13}" text-anchor="end">${escapeXml(c.name)}</text>`);
      if (v === null) {
        rows.push(`<text x="${left + 4}" y="${y + 13}" fill="#6b7280">n/a</text>`);
      } else {
        rows.push(`<rect x="${left}" y="${y}" width="${(v * scale).toFixed(1)}" height="${barH}" fill="${colors[i % colors.length]}"/>`);
        rows.push(`<text x="${left + v * scale + 6}" y="${y + 13}">${(v / 1e6).toFixed(2)}M</text>`);
      }
      y += barH + 4;
    });
    y += 26;
  }
  const height = y + 10;
  const title = `openresponses-wire vs peers — Node ${machine.node}, ${machine.cores} cores, medians of ${machine.rounds} interleaved rounds`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="13">
<rect width="100%" height="100%" fill="#ffffff"/>
<text x="10" y="24" font-size="15" font-weight="bold">${escapeXml(title)}</text>
${rows.join("\n")}
</svg>
`;
}
