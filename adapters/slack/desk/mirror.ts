import type { Conversation, DeliveryRetry, Message } from '../../../src/channel/index.ts';
import type { DeskSettings } from '../settings.ts';
import type { Agents } from './agents.ts';
import { esc } from './header.ts';

const MAX = 3_500;
const clip = (s: string) => (s.length > MAX ? `${s.slice(0, MAX)}…` : s);
const quote = (s: string) =>
  clip(s)
    .split('\n')
    .map((l) => `> ${esc(l)}`)
    .join('\n');

const mention = (agents: Agents, id: string | null) => {
  const user = agents.byAgentId(id)?.slackUser;
  return user ? `<@${user}>` : null;
};

/**
 * SLA notices call people in: a warning the assignee, a breach (or an agent's
 * escalation) the assignee then the escalation chain, and for a VIP customer
 * the senior staff of `vipEscalation` too (each once).
 */
function slaMentions(desk: DeskSettings, agents: Agents, c: Conversation, text: string, vip: boolean): string {
  if (!/^(SLA (warning|breached)|Escalated by )/.test(text)) return '';
  const senior = vip ? desk.vipEscalation : [];
  const ids = text.startsWith('SLA warning') ? [c.assignee] : [c.assignee, ...desk.escalation, ...senior];
  const users = [...new Set(ids.map((id) => mention(agents, id)).filter((m): m is string => !!m))];
  return users.length ? `${users.join(' ')} ` : '';
}

/** One message of the conversation as it shows in the desk thread; `customer` names who wrote an inbound one (customerLabel). */
export function mirrorText(
  desk: DeskSettings,
  agents: Agents,
  c: Conversation,
  m: Message,
  customer: string | null = null,
  vip = false,
): string {
  const who = esc((m.direction === 'inbound' ? customer : null) ?? m.author.name ?? m.author.id ?? m.author.kind);
  if (m.visibility === 'internal') {
    if (m.author.kind === 'system')
      return `:rotating_light: ${slaMentions(desk, agents, c, m.text, vip)}${esc(clip(m.text))}`;
    return `:memo: *Internal note* by ${who}\n${quote(m.text)}`;
  }
  if (m.direction === 'inbound') return `:speech_balloon: *${who}* (customer)\n${quote(m.text)}`;
  if (m.author.kind === 'bot') return `:robot_face: *Bot*\n${quote(m.text)}`;
  if (m.author.kind === 'agent') return `:bust_in_silhouette: *${who}* replied\n${quote(m.text)}`;
  return `:information_source: ${esc(clip(m.text))}`;
}

export function retryText(m: Message, r: DeliveryRetry): string {
  const at = `<!date^${Math.floor(r.nextAt / 1000)}^{time_secs}|${new Date(r.nextAt).toISOString().slice(11, 19)} UTC>`;
  return `:hourglass_flowing_sand: *Delivery retried*: attempt ${r.attempt} failed (${esc(r.error)}); trying again at ${at}\n${quote(m.text)}`;
}

export function failureText(m: Message): string {
  const why = m.error ? `: ${esc(m.error)}` : '';
  const optOut = /opt(ed)?[ -]?out|21610|unsubscribed/i.test(m.error ?? '') ? ' (the customer opted out)' : '';
  return `:warning: *Not delivered* to the customer${optOut}${why}\n${quote(m.text)}`;
}
