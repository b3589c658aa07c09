import { randomUUID } from 'node:crypto';
import type { App } from '@slack/bolt';
import { type DeskHost, TouchpointError } from '../../../src/channel/index.ts';
import type { DeskAgent } from '../settings.ts';
import type { Agents } from './agents.ts';
import { ACTION, esc } from './header.ts';
import { inputValue } from './modals.ts';
import { shortcutTarget } from './shortcut.ts';
import type { ThreadStore } from './threads.ts';

/**
 * Help for an agent in a desk thread, shown to them only (ephemeral posts and
 * modals): the knowledge search shortcut, whose results an agent sends to the
 * customer with one click, and AI-drafted replies (Draft a reply → Send or
 * Edit). Nothing reaches the customer without a click, and what is sent goes
 * through the agent reply path, so its guards (opt-outs, the public-send
 * guard) apply as to anything the agent writes.
 */

export const KNOWLEDGE_SHORTCUT = 'tp_knowledge';
export const ASSIST = {
  knowledgeSend: 'tp_kb_send',
  draftSend: 'tp_draft_send',
  draftEdit: 'tp_draft_edit',
} as const;
export const ASSIST_VIEW = { knowledge: 'tp_kb_modal', draft: 'tp_draft_modal' } as const;
export const KB_INPUT = { block: 'tp_kb_block', action: 'tp_kb_query' } as const;
export const DRAFT_INPUT = { block: 'tp_draft_block', action: 'tp_draft_text' } as const;

const RESULTS = 3;
/** Drafts wait in memory for their Send or Edit click; the oldest go first. */
const KEPT_DRAFTS = 500;
/** Slack refuses a section over 3,000 characters: a longer draft is shown cut, and Send or Edit takes it whole. */
const shown = (text: string) => {
  const e = esc(text);
  return e.length <= 2_900 ? e : `${e.slice(0, 2_899)}… (cut here; Send or Edit takes the whole draft)`;
};
const GONE = 'This draft is no longer available (the router restarted): press Draft a reply again.';

export interface Where {
  channel?: string;
  user?: string;
  threadTs?: string;
}

export interface AssistDeps {
  app: App;
  desk: DeskHost;
  agents: Agents;
  threads: ThreadStore;
  refuse(w: Where, text?: string): Promise<void>;
  agentOr(w: Where): Promise<DeskAgent | null>;
  act(conversationId: string, w: Where, fn: () => Promise<unknown>): Promise<void>;
  /** Registers a header-card control (src: listeners.ts), resolving the conversation and the agent. */
  control(
    actionId: string,
    run: (id: string, agent: DeskAgent, w: Where, body: Record<string, unknown>) => Promise<void>,
  ): void;
}

interface KeptDraft {
  conversationId: string;
  text: string;
  user: string;
}

export function registerAssistListeners(d: AssistDeps): void {
  const { app, desk, agents } = d;
  const drafts = new Map<string, KeptDraft>();

  const tell = async (w: Where, text: string, blocks?: unknown[]) => {
    if (!w.channel || !w.user) return;
    await app.client.chat.postEphemeral({
      channel: w.channel,
      user: w.user,
      text,
      ...(blocks ? { blocks: blocks as never } : {}),
      ...(w.threadTs ? { thread_ts: w.threadTs } : {}),
    });
  };
  const send = (id: string, agent: DeskAgent, w: Where, text: string) =>
    d.act(id, w, () => desk.actions.reply(id, { text: agents.signed(agent, text), agent: agent.agent }));

  d.control(ACTION.draft, async (id, _agent, w) => {
    const drafter = desk.drafts;
    if (!drafter?.enabled()) return d.refuse(w, 'AI-drafted replies are off.');
    await tell(w, 'Drafting a reply… (only you see it; nothing is sent until you press Send)');
    let draft: Awaited<ReturnType<typeof drafter.draft>>;
    try {
      draft = await drafter.draft(id);
    } catch (err) {
      if (!(err instanceof TouchpointError)) throw err;
      return d.refuse(w, `No draft: ${err.message}`);
    }
    const key = randomUUID();
    drafts.set(key, { conversationId: id, text: draft.text, user: w.user ?? '' });
    for (const old of drafts.keys()) {
      if (drafts.size <= KEPT_DRAFTS) break;
      drafts.delete(old);
    }
    const sources = draft.sources.map((s) => (s.url ? `<${s.url}|${esc(s.title)}>` : esc(s.title))).join(' · ');
    await tell(w, `Draft reply: ${draft.text}`, [
      { type: 'section', text: { type: 'mrkdwn', text: `*Draft reply* (only you see this)\n>${shown(draft.text)}` } },
      ...(sources ? [{ type: 'context', elements: [{ type: 'mrkdwn', text: `From: ${sources}` }] }] : []),
      {
        type: 'actions',
        elements: [button('Send', ASSIST.draftSend, key, 'primary'), button('Edit', ASSIST.draftEdit, key)],
      },
    ]);
  });

  const kept = (key: string, w: Where): KeptDraft | null => {
    const draft = drafts.get(key);
    return draft && draft.user === w.user ? draft : null;
  };
  assistAction(d, ASSIST.draftSend, async (agent, w, value) => {
    const draft = kept(value, w);
    if (!draft) return d.refuse(w, GONE);
    drafts.delete(value);
    await send(draft.conversationId, agent, w, draft.text);
  });
  assistAction(d, ASSIST.draftEdit, async (_agent, w, value, body) => {
    const draft = kept(value, w);
    if (!draft) return d.refuse(w, GONE);
    await app.client.views.open({
      trigger_id: String(body.trigger_id),
      view: textModal(
        ASSIST_VIEW.draft,
        draft.conversationId,
        'Edit the draft',
        'Send to customer',
        draft.text,
      ) as never,
    });
  });
  app.view(ASSIST_VIEW.draft, async ({ ack, body, view }) => {
    const agent = agents.bySlackUser(body.user.id);
    const text = inputValue(view, DRAFT_INPUT.block, DRAFT_INPUT.action)?.trim();
    if (!agent)
      return ack({ response_action: 'errors', errors: { [DRAFT_INPUT.block]: 'Only desk agents can send.' } });
    if (!text) return ack({ response_action: 'errors', errors: { [DRAFT_INPUT.block]: 'Write the reply first.' } });
    await ack();
    await send(view.private_metadata, agent, { user: body.user.id }, text);
  });

  app.shortcut(KNOWLEDGE_SHORTCUT, async ({ ack, body }) => {
    await ack();
    const at = await shortcutTarget(body, d);
    if (!at) return;
    if (!desk.knowledge) return d.refuse(at.w, 'The knowledge base is not available here.');
    const where = JSON.stringify({ id: at.conversationId, channel: at.w.channel, threadTs: at.threadTs });
    const view = textModal(ASSIST_VIEW.knowledge, where, 'Search knowledge', 'Search', at.text ?? '');
    await app.client.views.open({ trigger_id: at.triggerId, view: view as never });
  });
  app.view(ASSIST_VIEW.knowledge, async ({ ack, body, view }) => {
    const query = inputValue(view, KB_INPUT.block, KB_INPUT.action)?.trim();
    if (!query) return ack({ response_action: 'errors', errors: { [KB_INPUT.block]: 'Write what to search for.' } });
    await ack();
    const at = JSON.parse(view.private_metadata) as { id: string; channel: string; threadTs: string };
    const w: Where = { channel: at.channel, user: body.user.id, threadTs: at.threadTs };
    if (!(await d.agentOr(w))) return;
    const hits = desk.knowledge?.search(query, RESULTS) ?? [];
    if (hits.length === 0) return tell(w, `Nothing in the knowledge base matches “${query}”.`);
    await tell(
      w,
      `Knowledge for “${query}”`,
      hits.flatMap((h) => [
        {
          type: 'section',
          text: { type: 'mrkdwn', text: `*${esc(h.title)}*${h.url ? ` · <${h.url}|link>` : ''}\n${esc(h.answer)}` },
          accessory: button('Send to customer', ASSIST.knowledgeSend, `${at.id}|${h.id}`),
        },
      ]),
    );
  });
  assistAction(d, ASSIST.knowledgeSend, async (agent, w, value) => {
    const [id, entryId] = value.split('|');
    const hit = entryId ? desk.knowledge?.get(entryId) : null;
    if (!id || !hit) return d.refuse(w, 'That answer is no longer in the knowledge base.');
    await send(id, agent, w, hit.url ? `${hit.answer} ${hit.url}` : hit.answer);
  });
}

/** A button on an ephemeral post: its value says what it acts on; only a mapped agent may press it. */
function assistAction(
  d: AssistDeps,
  actionId: string,
  run: (agent: DeskAgent, w: Where, value: string, body: Record<string, unknown>) => Promise<void>,
): void {
  d.app.action(actionId, async ({ ack, body, action }) => {
    await ack();
    const b = body as unknown as Record<string, unknown>;
    const channel = (b.channel as { id?: string } | undefined)?.id;
    const user = (b.user as { id?: string } | undefined)?.id;
    const threadTs = (b.container as { thread_ts?: string } | undefined)?.thread_ts;
    const w: Where = { ...(channel ? { channel } : {}), ...(user ? { user } : {}), ...(threadTs ? { threadTs } : {}) };
    const agent = await d.agentOr(w);
    if (!agent) return;
    const value = (action as { value?: string }).value ?? '';
    await run(agent, w, value, b);
  });
}

function button(text: string, action_id: string, value: string, style?: 'primary') {
  return { type: 'button', text: { type: 'plain_text', text }, action_id, value, ...(style ? { style } : {}) };
}

/** A modal with one multi-line text input, prefilled. */
function textModal(view: string, metadata: string, title: string, submit: string, initial: string) {
  const input = view === ASSIST_VIEW.draft ? DRAFT_INPUT : KB_INPUT;
  return {
    type: 'modal',
    callback_id: view,
    private_metadata: metadata,
    title: { type: 'plain_text', text: title },
    submit: { type: 'plain_text', text: submit },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'input',
        block_id: input.block,
        label: { type: 'plain_text', text: view === ASSIST_VIEW.draft ? 'The reply the customer gets' : 'Search for' },
        element: {
          type: 'plain_text_input',
          action_id: input.action,
          multiline: view === ASSIST_VIEW.draft,
          ...(initial ? { initial_value: initial.slice(0, 3000) } : {}),
        },
      },
    ],
  };
}
