import type { FlowGraph, GraphNode } from './flow-graph.ts';

/**
 * Draws a flow graph as a standalone SVG, laid out without a browser: one
 * node per row in step order, indented by nesting depth. An edge to the next
 * row goes straight down; every other edge (a "no" branch, a jump, the end)
 * runs in a lane of its own on the right.
 */

const CHAR_W = 7;
const LINE_H = 16;
const PAD = 10;
const GAP = 30;
const INDENT = 36;
const MARGIN = 20;
const LANE = 14;
const WRAP = 38;

const FILL: Record<GraphNode['shape'], string> = {
  terminal: '#e6f4ea',
  step: '#e8eefc',
  decision: '#fff6d6',
  external: '#fce8e6',
};

interface Box {
  node: GraphNode;
  lines: string[];
  x: number;
  y: number;
  w: number;
  h: number;
}

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function wrap(text: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > WRAP) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.flatMap((l) => (l.length > WRAP + 10 ? (l.match(new RegExp(`.{1,${WRAP}}`, 'g')) ?? [l]) : [l]));
}

function shape(b: Box): string {
  const style = `fill="${FILL[b.node.shape]}" stroke="#5f6368" stroke-width="1.2"`;
  const { x, y, w, h } = b;
  if (b.node.shape === 'decision') {
    const k = Math.min(14, h / 2);
    const pts = [
      [x + k, y],
      [x + w - k, y],
      [x + w, y + h / 2],
      [x + w - k, y + h],
      [x + k, y + h],
      [x, y + h / 2],
    ];
    return `<polygon points="${pts.map((p) => p.join(',')).join(' ')}" ${style}/>`;
  }
  if (b.node.shape === 'terminal') return `<rect x="${x}" y="${y}" width="${w}" height="${h}" rx="${h / 2}" ${style}/>`;
  const rect = `<rect x="${x}" y="${y}" width="${w}" height="${h}" rx="4" ${style}/>`;
  if (b.node.shape === 'step') return rect;
  return `${rect}<rect x="${x + 4}" y="${y}" width="${w - 8}" height="${h}" fill="none" stroke="#5f6368"/>`;
}

function text(b: Box): string {
  const cx = b.x + b.w / 2;
  return b.lines
    .map((l, i) => `<text x="${cx}" y="${b.y + PAD + 12 + i * LINE_H}" text-anchor="middle">${esc(l)}</text>`)
    .join('');
}

/**
 * The lane of each edge that does not go to the next row. Shorter spans are placed first and an
 * edge goes just outside every placed edge it overlaps, so an edge around another never crosses it
 * and edges that do not overlap share a lane.
 */
export function laneOf(graph: FlowGraph, row: Map<string, number>): Map<FlowGraph['edges'][number], number> {
  const spans = graph.edges
    .map((e) => {
      const a = row.get(e.from);
      const b = row.get(e.to);
      return a === undefined || b === undefined || b === a + 1 ? null : { e, lo: Math.min(a, b), hi: Math.max(a, b) };
    })
    .filter((s) => s !== null)
    .sort((p, q) => p.hi - p.lo - (q.hi - q.lo) || p.lo - q.lo);
  const placed: Array<{ lo: number; hi: number; lane: number }> = [];
  const lanes = new Map<FlowGraph['edges'][number], number>();
  for (const s of spans) {
    // Touching at a row counts as overlapping: two edges into one box take two lanes.
    const under = placed.filter((p) => p.lo <= s.hi && s.lo <= p.hi).map((p) => p.lane);
    const lane = under.length === 0 ? 0 : Math.max(...under) + 1;
    placed.push({ lo: s.lo, hi: s.hi, lane });
    lanes.set(s.e, lane);
  }
  return lanes;
}

export function toSvg(graph: FlowGraph, title: string): string {
  const boxes = new Map<string, Box>();
  const order: Box[] = [];
  let y = MARGIN + 24;
  for (const node of graph.nodes) {
    const lines = wrap(node.label);
    const w = Math.max(
      120,
      Math.max(...lines.map((l) => l.length)) * CHAR_W + 2 * PAD + (node.shape === 'decision' ? 24 : 0),
    );
    const h = lines.length * LINE_H + 2 * PAD - 4;
    const box = { node, lines, x: MARGIN + node.depth * INDENT, y, w, h };
    boxes.set(node.id, box);
    order.push(box);
    y += h + GAP;
  }
  const right = Math.max(...order.map((b) => b.x + b.w));
  const row = new Map(order.map((b, i) => [b.node.id, i]));
  const lane = laneOf(graph, row);
  const lanes = Math.max(0, ...lane.values()) + 1;
  const paths: string[] = [];
  for (const e of graph.edges) {
    const a = boxes.get(e.from);
    const b = boxes.get(e.to);
    if (!a || !b) continue;
    const dash = e.dashed ? ' stroke-dasharray="5,4"' : '';
    const label = e.label ?? '';
    if (row.get(e.to) === (row.get(e.from) ?? -2) + 1) {
      // left-aligned connectors: a jog only where the nesting changes
      const sx = a.x + 24;
      const tx = b.x + 24;
      const mid = a.y + a.h + GAP / 2;
      paths.push(
        `<path d="M${sx},${a.y + a.h} V${mid} H${tx} V${b.y - 2}" fill="none" stroke="#5f6368"${dash} marker-end="url(#arrow)"/>`,
      );
      if (label) paths.push(`<text x="${sx + 6}" y="${a.y + a.h + 12}" class="edge">${esc(label)}</text>`);
      continue;
    }
    const x = right + 24 + (lane.get(e) ?? 0) * LANE;
    const sy = a.y + a.h / 2;
    const ty = b.y + b.h / 2;
    paths.push(
      `<path d="M${a.x + a.w},${sy} H${x} V${ty} H${b.x + b.w + 2}" fill="none" stroke="#5f6368"${dash} marker-end="url(#arrow)"/>`,
    );
    if (label) paths.push(`<text x="${a.x + a.w + 4}" y="${sy - 4}" class="edge">${esc(label)}</text>`);
  }
  const width = Math.max(right + 24 + lanes * LANE + MARGIN, MARGIN * 2 + title.length * 8);
  const height = y + MARGIN;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#5f6368"/></marker>',
    '<style>.edge{font-size:10px;fill:#3c4043}</style></defs>',
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${MARGIN}" y="${MARGIN + 6}" font-size="14" font-weight="bold">${esc(title)}</text>`,
    ...order.map((b) => shape(b) + text(b)),
    ...paths,
    '</svg>',
    '',
  ].join('\n');
}
