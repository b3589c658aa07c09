import { createHash } from 'node:crypto';
import {
  type Contact,
  type Conversation,
  type DeskBug,
  type Identity,
  type MergeSuggestion,
  type QueuedReply,
  SNOOZE_LABELS,
  SNOOZE_PRESETS,
} from '../../../src/channel/index.ts';
import type { Agents } from './agents.ts';
import { teamOf } from './routing.ts';

/** Action ids of the header card's controls. */
export const ACTION = {
  assignMe: 'tp_assign_me',
  assign: 'tp_assign',
  resolve: 'tp_resolve',
  reopen: 'tp_reopen',
  private: 'tp_private',
  note: 'tp_note',
  canned: 'tp_canned',
  snooze: 'tp_snooze',
  priority: 'tp_priority',
  escalate: 'tp_escalate',
  deescalate: 'tp_deescalate',
  flow: 'tp_flow',
  mergeAccept: 'tp_merge_accept',
  mergeReject: 'tp_merge_reject',
  draft: 'tp_draft',
  bug: 'tp_bug',
} as const;

/** The snooze menu's choice that opens the date-and-time picker. */
export const SNOOZE_PICK = 'pick';
const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;

export interface HeaderFacts {
  conversation: Conversation;
  contact: Contact | null;
  identities: Identity[];
  /** Suggested matches of this customer with another contact, for an agent to accept or reject. */
  suggestions?: MergeSuggestion[];
  /** The last reply waiting, when it waits behind its sender's pace (e.g. one SMS a second per long code). */
  queued?: QueuedReply | null;
  /** The bugs the conversation is linked to. */
  bugs?: DeskBug[];
  /** Whether a bug tracker is configured (the card offers "Log a bug"). */
  canLogBug?: boolean;
}

/** Each linked bug as a link to the tracker, marked once fixed. */
const bugsText = (bugs: DeskBug[]) =>
  bugs
    .map((b) => `<${b.url}|${esc(b.tracker)} #${esc(b.key)}> ${esc(b.title)}${b.fixedAt !== null ? ' · fixed' : ''}`)
    .join('\n');

const SHOWN_SUGGESTIONS = 3;
const REASONS: Record<MergeSuggestion['reason'], string> = {
  mentioned_email: 'an email address of theirs was written',
  mentioned_phone: 'a number of theirs was written',
  same_name: 'same name',
  same_event: 'one business event named both',
  proved_by_code: 'a one-time code proved their address is this customer’s',
};

/** One block per suggested match: who, why, and Accept (merge) / Reject buttons carrying the suggestion's id. */
function suggestionBlocks(contactId: string | undefined, suggestions: MergeSuggestion[]): unknown[] {
  return suggestions.slice(0, SHOWN_SUGGESTIONS).flatMap((s) => {
    const other = s.contactId === contactId ? s.otherId : s.contactId;
    const button = (text: string, action_id: string, style?: string) => ({
      type: 'button',
      text: { type: 'plain_text', text },
      action_id,
      value: s.id,
      ...(style ? { style } : {}),
    });
    return [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `:busts_in_silhouette: *Possibly the same person* as contact ${esc(other)}: ${REASONS[s.reason]} (${esc(s.evidence)})`,
        },
      },
      {
        type: 'actions',
        block_id: `tp_suggestion_${s.id}`,
        elements: [
          button('Same person: merge', ACTION.mergeAccept, 'primary'),
          button('Not the same', ACTION.mergeReject),
        ],
      },
    ];
  });
}

/** Escapes what Slack's mrkdwn treats as markup. */
export const esc = (s: string) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/** Slack refuses a section's text over 3,000 characters and a field over 2,000: long customer data is cut instead. */
const clip = (s: string, max: number) => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);

/** A time every viewer sees in their own timezone, with a plain fallback. */
const slackDate = (ms: number) =>
  `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} {time}|${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC>`;

function slaDue(c: Conversation): number | null {
  const dues = [c.sla.firstRespondedAt ? null : c.sla.firstResponseDue, c.sla.nextResponseDue, c.sla.resolutionDue];
  const live = dues.filter((d): d is number => typeof d === 'number');
  return live.length ? Math.min(...live) : null;
}

/** Why the customer has not had the reply yet, and when they should. */
function queuedText(q: QueuedReply): string {
  const pace = Number.isFinite(q.perSecond) ? ` at ${Number(q.perSecond.toFixed(2))}/s` : '';
  return `${q.aheadInLane} ahead on ${esc(q.destination)}${pace} · expected ${slackDate(q.expectedAt)}`;
}

const REACH_KINDS = ['phone', 'whatsapp', 'email'];

/** Who the customer is in one line: their name and the best number or address to reach them (verified first). */
export function customerLabel(contact: Contact | null, identities: Identity[]): string | null {
  const reach = identities.find((i) => REACH_KINDS.includes(i.kind))?.value ?? null;
  const name = contact?.name ?? null;
  if (name && reach) return `${name} · ${reach}`;
  return name ?? reach ?? identities[0]?.value ?? null;
}

/** The thread's root: who the customer is, where they wrote, and where the conversation stands, with its controls. */
export function headerBlocks(
  f: HeaderFacts,
  agents: Agents,
  hasCanned: boolean,
  canDraft = false,
): { text: string; blocks: unknown[] } {
  const c = f.conversation;
  const name = f.contact?.name ?? f.identities[0]?.value ?? 'Unknown customer';
  const vipBadge = f.contact?.vip ? '  :star: *VIP*' : '';
  const ids = f.identities.map((i) => `${i.kind}: ${esc(i.value)}${i.verified ? ' ✓' : ''}`).join(' · ');
  const assignee = c.assignee
    ? agents.byAgentId(c.assignee)?.slackUser
      ? `<@${agents.byAgentId(c.assignee)?.slackUser}>`
      : esc(c.assignee)
    : '_nobody_';
  const due = slaDue(c);
  const team = teamOf(c);
  const field = (label: string, value: string) => ({ type: 'mrkdwn', text: clip(`*${label}*\n${value}`, 2000) });
  const fields = [
    field('Channel', `${esc(c.touchpoint.channel)} · ${esc(c.touchpoint.kind)} (${c.touchpoint.visibility})`),
    field('Status', c.status + (snoozedUntil(c) ? ` until ${slackDate(snoozedUntil(c) as number)}` : '')),
    field('Category', esc(c.category ?? '—') + (team ? ` · team ${esc(team)}` : '')),
    field('Intent', esc(c.intent ?? '—')),
    field('Priority', c.priority),
    field('Assignee', assignee),
    field('SLA due', due ? slackDate(due) : '—'),
    ...(f.contact?.vip ? [field('VIP', 'yes')] : []),
    ...(f.queued ? [field('Reply queued', queuedText(f.queued))] : []),
    ...(f.bugs?.length ? [field('Bug', bugsText(f.bugs))] : []),
  ];
  const live = c.status !== 'resolved' && c.status !== 'closed';
  const button = (text: string, action_id: string, style?: 'primary' | 'danger') => ({
    type: 'button',
    text: { type: 'plain_text', text },
    action_id,
    value: c.id,
    ...(style ? { style } : {}),
  });
  const option = (text: string, value: string) => ({ text: { type: 'plain_text', text }, value });
  const priorities = PRIORITIES.map((p) => option(p, p));
  const controls = [
    button('Assign to me', ACTION.assignMe),
    { type: 'users_select', action_id: ACTION.assign, placeholder: { type: 'plain_text', text: 'Assign to…' } },
    live ? button('Resolve', ACTION.resolve, 'primary') : button('Reopen', ACTION.reopen),
    ...(live && c.touchpoint.visibility === 'public' ? [button('Move to private', ACTION.private, 'danger')] : []),
    button('Internal note', ACTION.note),
    ...(hasCanned ? [button('Canned response', ACTION.canned)] : []),
    ...(live && canDraft ? [button('Draft a reply', ACTION.draft)] : []),
    ...(live
      ? [
          {
            type: 'static_select',
            action_id: ACTION.snooze,
            placeholder: { type: 'plain_text', text: 'Snooze…' },
            options: [
              ...SNOOZE_PRESETS.map((p) => option(SNOOZE_LABELS[p], p)),
              option('Pick a date and time…', SNOOZE_PICK),
            ],
          },
        ]
      : []),
    {
      type: 'static_select',
      action_id: ACTION.priority,
      placeholder: { type: 'plain_text', text: 'Priority' },
      options: priorities,
      initial_option: priorities.find((p) => p.value === c.priority),
    },
    ...(live ? [button('Escalate', ACTION.escalate, 'danger')] : []),
    ...(live && escalatedTier(c) ? [button(`De-escalate from ${escalatedTier(c)}`, ACTION.deescalate)] : []),
    button('Start a flow', ACTION.flow),
    ...(f.canLogBug ? [button('Log a bug', ACTION.bug)] : []),
  ];
  const blocks = [
    {
      type: 'section',
      text: { type: 'mrkdwn', text: clip(`*${esc(name)}*${vipBadge}${ids ? `\n${ids}` : ''}`, 3000) },
    },
    { type: 'section', fields },
    { type: 'actions', block_id: 'tp_controls', elements: controls },
    ...suggestionBlocks(f.contact?.id, f.suggestions ?? []),
    {
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `Conversation ${c.id} · reply in this thread to answer the customer` }],
    },
  ];
  return {
    text: `${name}${f.contact?.vip ? ' (VIP)' : ''} on ${c.touchpoint.channel}: ${c.status}, ${c.priority}`,
    blocks,
  };
}

/** The tier (desk.yaml `tiers`) a conversation was escalated to, while above the first one. */
function escalatedTier(c: Conversation): string | null {
  return c.tags.includes('escalated') && typeof c.flowState?.tier === 'string' ? c.flowState.tier : null;
}

function snoozedUntil(c: Conversation): number | null {
  const until = (c.flowState?.snooze as { until?: unknown } | undefined)?.until;
  return c.status === 'snoozed' && typeof until === 'number' ? until : null;
}

export const fingerprint = (v: unknown) =>
  createHash('sha256').update(JSON.stringify(v)).digest('base64url').slice(0, 22);
