import { TemplateMissing } from '../errors.ts';
import type { TemplateDef } from '../settings/schema.ts';

export interface RenderContext {
  channel: string;
  language: string | null;
  vars: Record<string, string | number | boolean | null | undefined>;
}

export interface Rendered {
  text: string;
  subject?: string;
  /** The approved WhatsApp template with its variables filled, for when free text may not go out. */
  whatsapp?: TemplatePart;
}

/** A pre-approved WhatsApp template as a message part: the Twilio adapter sends it as ContentSid + ContentVariables. */
export interface TemplatePart {
  type: 'template';
  contentSid: string;
  variables: Record<string, string>;
}

/**
 * Picks the most specific variant (language on this channel, language, channel, then the default)
 * and fills `{variable}` or `{variable|fallback}` placeholders. Unknown
 * variables render as their fallback, or as nothing: a customer never sees braces.
 */
export function renderTemplate(templates: Record<string, TemplateDef>, id: string, ctx: RenderContext): Rendered {
  const def = templates[id];
  if (def === undefined) throw new TemplateMissing(`no template named "${id}"`);
  const variant = pickVariant(def, ctx);
  const out: Rendered = { text: fill(variant.text, ctx.vars) };
  if (variant.subject) out.subject = fill(variant.subject, ctx.vars);
  if (typeof def !== 'string' && def.whatsapp) {
    const variables: Record<string, string> = {};
    for (const [n, text] of Object.entries(def.whatsapp.variables)) variables[n] = fill(text, ctx.vars);
    out.whatsapp = { type: 'template', contentSid: def.whatsapp.contentSid, variables };
  }
  return out;
}

type Variant = string | { text: string; subject?: string | undefined };

function pickVariant(def: TemplateDef, ctx: RenderContext): { text: string; subject?: string | undefined } {
  if (typeof def === 'string') return { text: def };
  const lang = ctx.language ? def.languages?.[ctx.language] : undefined;
  const langOnChannel = typeof lang === 'object' ? lang.channels?.[ctx.channel] : undefined;
  const chosen: Variant = langOnChannel ?? lang ?? def.channels?.[ctx.channel] ?? def.text;
  return typeof chosen === 'string' ? { text: chosen } : { text: chosen.text, subject: chosen.subject };
}

const VARIABLE = /\{([a-zA-Z_][\w.]*)(?:\|([^}]*))?\}/g;
/** `[[, {name}]]`: a phrase kept only when every variable in it without a default has a value. */
const OPTIONAL = /\[\[([^[\]]*)\]\]/g;

const empty = (v: unknown) => v === null || v === undefined || v === '';

export function fill(text: string, vars: RenderContext['vars']): string {
  const phrases = text.replace(OPTIONAL, (_all, inner: string) => {
    for (const m of inner.matchAll(VARIABLE)) if (m[2] === undefined && empty(vars[m[1] as string])) return '';
    return inner;
  });
  return phrases.replace(VARIABLE, (_all, name: string, fallback: string | undefined) => {
    const v = vars[name];
    return empty(v) ? (fallback ?? '') : String(v);
  });
}
