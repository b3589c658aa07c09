import { createHmac } from 'node:crypto';
import type { FakeSlackApi } from '../../../fakes/slack-api.ts';

/**
 * Requests as Slack sends them: Events API callbacks as JSON, interactivity
 * as a form with the JSON in `payload`, each signed with the signing secret
 * over `v0:{timestamp}:{raw body}`. Given the fake Web API, they keep it in
 * step with what Slack knows: a message event's channel exists, and each
 * interaction carries a fresh trigger_id issued by it.
 */
export interface SlackSender {
  event(event: Record<string, unknown>, opts?: { eventId?: string; retryNum?: number }): Promise<Response>;
  interaction(payload: Record<string, unknown>): Promise<Response>;
  raw(body: string, contentType: string, headers?: Record<string, string>, timestamp?: number): Promise<Response>;
}

/**
 * Slack's signature computed here, apart from the adapter's signer, so a test
 * checks the adapter against the scheme rather than against itself.
 */
export function signLikeSlack(secret: string, timestamp: number | string, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

let eventSeq = 0;
let tsSeq = 0;

/** A message ts like Slack's: unique, increasing. */
export const nextTs = () => `${Math.floor(Date.now() / 1000)}.${String(900_000 + ++tsSeq).padStart(6, '0')}`;

export function slackSender(
  url: string,
  secret: string,
  o: { teamId?: string; slack?: FakeSlackApi } = {},
): SlackSender {
  const teamId = o.teamId ?? 'T0000001';
  const raw = (
    body: string,
    contentType: string,
    headers: Record<string, string> = {},
    timestamp = Math.floor(Date.now() / 1000),
  ) =>
    fetch(url, {
      method: 'POST',
      headers: {
        'content-type': contentType,
        'x-slack-request-timestamp': String(timestamp),
        'x-slack-signature': signLikeSlack(secret, timestamp, body),
        ...headers,
      },
      body,
    });
  return {
    raw,
    event(event, opts = {}) {
      if (typeof event.channel === 'string') o.slack?.addChannel(event.channel);
      const body = JSON.stringify({
        token: 'legacy',
        team_id: teamId,
        api_app_id: 'A0000001',
        type: 'event_callback',
        event_id: opts.eventId ?? `Ev${String(++eventSeq).padStart(8, '0')}`,
        event_time: Math.floor(Date.now() / 1000),
        event,
      });
      const retry: Record<string, string> = opts.retryNum
        ? { 'x-slack-retry-num': String(opts.retryNum), 'x-slack-retry-reason': 'http_timeout' }
        : {};
      return raw(body, 'application/json', retry);
    },
    interaction(payload) {
      const body = new URLSearchParams({
        payload: JSON.stringify({
          team: { id: teamId },
          api_app_id: 'A0000001',
          ...payload,
          ...(o.slack && 'trigger_id' in payload ? { trigger_id: o.slack.issueTrigger() } : {}),
        }),
      }).toString();
      return raw(body, 'application/x-www-form-urlencoded');
    },
  };
}

/** A header-card button pressed by `user` in the desk thread rooted at `rootTs`. */
export function blockAction(
  user: string,
  channel: string,
  rootTs: string,
  actionId: string,
  extra: Record<string, unknown> = {},
) {
  return {
    type: 'block_actions',
    user: { id: user, team_id: 'T0000001' },
    trigger_id: `trigger-${actionId}`,
    container: { type: 'message', message_ts: rootTs, channel_id: channel, is_ephemeral: false },
    channel: { id: channel },
    message: { type: 'message', ts: rootTs },
    actions: [{ type: 'button', action_id: actionId, block_id: 'tp_controls', action_ts: nextTs(), ...extra }],
  };
}

/** A modal submitted by `user`. */
export function viewSubmission(
  user: string,
  callbackId: string,
  metadata: string,
  values: Record<string, Record<string, unknown>>,
) {
  return {
    type: 'view_submission',
    user: { id: user, team_id: 'T0000001' },
    trigger_id: 'trigger-view',
    view: { id: 'V1', type: 'modal', callback_id: callbackId, private_metadata: metadata, state: { values } },
  };
}
