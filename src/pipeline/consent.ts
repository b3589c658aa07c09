import type { RouteHook } from '../engine/context.ts';
import { renderTemplate } from '../engine/templates.ts';

const defaultHelp =
  'Reply STOP to stop messages from {business}, START to receive them again. Write your question and we will answer.';

/**
 * Carrier keywords an adapter recognised (STOP, START, HELP and their
 * synonyms): STOP records the opt-out for this channel and START removes it,
 * with no automatic answer (the carrier confirms); HELP answers from the
 * `help` template. Runs before every other hook.
 */
export const consentHook: RouteHook = (ctx) => {
  const keyword = ctx.envelope.flags?.optOut;
  if (!keyword) return;
  const channel = ctx.conversation.touchpoint.channel;
  const outs = ctx.contact.optOuts;
  if (keyword === 'stop') {
    if (!outs.includes(channel)) ctx.contactPatch.optOuts = [...outs, channel];
    ctx.silence = `opted out of ${channel}`;
    return;
  }
  if (keyword === 'start') {
    ctx.contactPatch.optOuts = outs.filter((c) => c !== channel);
    ctx.silence = `opted back in to ${channel}`;
    return;
  }
  const vars = { business: ctx.settings.business.name, name: ctx.contact.name };
  const text = ctx.settings.templates.help
    ? renderTemplate(ctx.settings.templates, 'help', { channel, language: ctx.contact.language, vars }).text
    : renderTemplate({ help: defaultHelp }, 'help', { channel, language: null, vars }).text;
  ctx.replies.push({ text, templateId: 'help', author: 'system' });
  ctx.silence = 'help keyword answered';
};
