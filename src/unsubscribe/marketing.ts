import type { TemplateDef } from '../settings/schema.ts';

/** Broadcasts name their template `broadcast <name>` (src/broadcast/send-one.ts). */
const BROADCAST = 'broadcast ';

/** Which templates are marketing: every broadcast, and the templates templates.yaml marks `marketing: true`. */
export function marketingTemplates(templates: Record<string, TemplateDef>): (templateId: string) => boolean {
  const marked = new Set(
    Object.entries(templates)
      .filter(([, t]) => typeof t !== 'string' && t.marketing === true)
      .map(([id]) => id),
  );
  return (templateId) => templateId.startsWith(BROADCAST) || marked.has(templateId);
}
