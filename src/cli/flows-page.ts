import { flowGraph, type TemplateWords } from '../flow-language/flow-graph.ts';
import { toSvg } from '../flow-language/flow-svg.ts';
import { escapeHtml } from '../http/html.ts';
import type { Settings } from '../settings/types.ts';

/** How much of a template a diagram box shows. */
const WORDS_MAX = 90;

/**
 * A template's default text as the customer reads it, shortened: optional
 * `[[…]]` phrases are left out and `{variables}` stay as they are.
 */
export function templateWords(templates: Settings['templates']): TemplateWords {
  return (id) => {
    const t = templates[id];
    if (t === undefined) return null;
    const text = (typeof t === 'string' ? t : t.text)
      .replace(/\[\[[^\]]*\]\]/g, '')
      .replace(/\s+/g, ' ')
      .trim();
    return text.length > WORDS_MAX ? `${text.slice(0, WORDS_MAX - 1).trimEnd()}…` : text;
  };
}

/** One self-contained page (no scripts, no external files) with every flow's diagram, for the owner. */
export function flowsPage(settings: Settings): string {
  const words = templateWords(settings.templates);
  const sections = settings.flows.map((f) => {
    const svg = toSvg(flowGraph(f, words), f.id);
    const about = f.description ? `<p>${escapeHtml(f.description)}</p>` : '';
    return `<section id="${escapeHtml(f.id)}"><h2>${escapeHtml(f.id)}</h2>${about}<div class="diagram">${svg}</div></section>`;
  });
  const toc = settings.flows.map((f) => `<a href="#${escapeHtml(f.id)}">${escapeHtml(f.id)}</a>`).join(' · ');
  const name = escapeHtml(settings.business.name);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${name}: conversation flows</title>
<style>
body { font-family: system-ui, sans-serif; margin: 24px; color: #202124; background: #fafafa; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin: 0 0 4px; }
nav { margin-bottom: 16px; line-height: 1.8; }
section { background: #fff; border: 1px solid #e0e0e0; border-radius: 8px; padding: 16px; margin: 0 0 20px; }
section p { color: #5f6368; margin: 0 0 8px; }
.diagram { overflow-x: auto; }
</style></head>
<body><h1>${name}: what the bot says, flow by flow</h1>
<nav>${toc}</nav>
${sections.join('\n')}
</body></html>
`;
}
