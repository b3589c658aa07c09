import { marketingOptOut } from '../outbound/outbound.ts';
import { renderTemplate } from '../outbound/templates.ts';
import { type RouteStep, stop } from './context.ts';

const defaultHelp =
  'Reply STOP to stop messages from {business}, START to receive them again. Write your question and we will answer.';

/**
 * Carrier keywords an adapter recognised (STOP, START, HELP and their
 * synonyms): STOP records the opt-out for this channel and START removes it,
 * with no automatic answer (the carrier confirms); HELP answers from the
 * `help` template. Runs before every other step.
 */
export const consentStep: RouteStep = (ctx, next) => {
  const keyword = ctx.envelope.flags?.optOut;
  if (!keyword) return next();
  const channel = ctx.conversation.touchpoint.channel;
  const outs = ctx.contact.optOuts;
  if (keyword === 'stop') {
    if (!outs.includes(channel)) ctx.contactPatch.optOuts = [...outs, channel];
    return stop(ctx, `opted out of ${channel}`);
  }
  if (keyword === 'unsubscribe') {
    const scope = marketingOptOut(channel);
    if (!outs.includes(scope)) ctx.contactPatch.optOuts = [...outs, scope];
    return stop(ctx, `unsubscribed from marketing on ${channel}`);
  }
  if (keyword === 'start') {
    ctx.contactPatch.optOuts = outs.filter((c) => c !== channel);
    return stop(ctx, `opted back in to ${channel}`);
  }
  const vars = { business: ctx.settings.business.name, name: ctx.contact.name };
  const text = ctx.settings.templates.help
    ? renderTemplate(ctx.settings.templates, 'help', { channel, language: ctx.contact.language, vars }).text
    : renderTemplate({ help: defaultHelp }, 'help', { channel, language: null, vars }).text;
  ctx.replies.push({ text, templateId: 'help', author: 'system' });
  stop(ctx, 'help keyword answered');
};
