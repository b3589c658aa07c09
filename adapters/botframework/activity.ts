import { z } from 'zod';
import type { Attachment, Envelope, Visibility } from '../../src/channel/index.ts';
import { TEAMS_FILE_CARD, teamsFileAttachment } from './teams-files.ts';
import { encodeThreadKey } from './thread-key.ts';

const account = z.looseObject({ id: z.string().min(1), name: z.string().nullish() });

/** The activity fields this adapter reads; the SDK has already checked the request. */
export const messageActivity = z.looseObject({
  type: z.literal('message'),
  id: z.string().min(1),
  // the SDK turns the timestamp into a Date before our turn logic sees it
  timestamp: z.union([z.string(), z.date()]).nullish(),
  channelId: z.string().min(1),
  serviceUrl: z.string().min(1),
  from: account,
  recipient: account,
  conversation: z.looseObject({
    id: z.string().min(1),
    isGroup: z.boolean().nullish(),
    conversationType: z.string().nullish(),
    tenantId: z.string().nullish(),
  }),
  text: z.string().nullish(),
  locale: z.string().nullish(),
  attachments: z
    .array(z.looseObject({ contentType: z.string(), contentUrl: z.string().nullish(), name: z.string().nullish() }))
    .nullish(),
});

export type MessageActivity = z.infer<typeof messageActivity>;

/**
 * The conversation reference a later reply needs (agent replies, follow-ups):
 * kept by the core as the conversation's reply reference, so it is durable.
 */
export interface BotReplyRef extends Record<string, unknown> {
  activityId: string;
  channelId: string;
  serviceUrl: string;
  conversation: { id: string; isGroup?: boolean; conversationType?: string; tenantId?: string };
  bot: { id: string; name?: string };
  user: { id: string; name?: string };
  locale?: string;
}

/** Teams is a touchpoint of its own; Web Chat, Direct Line and the Emulator are named by their channel id. */
export const touchpointKind = (channelId: string) => (channelId === 'msteams' ? 'teams' : `botframework.${channelId}`);

/** Teams group chats and channel posts are seen by others than the person writing. */
const visibilityOf = (a: MessageActivity): Visibility =>
  a.conversation.isGroup ||
  a.conversation.conversationType === 'channel' ||
  a.conversation.conversationType === 'groupChat'
    ? 'public'
    : 'private';

const optional = <K extends string>(key: K, v: string | boolean | null | undefined) =>
  v === null || v === undefined ? {} : ({ [key]: v } as Record<K, string | boolean>);

export function referenceOf(a: MessageActivity): BotReplyRef {
  return {
    activityId: a.id,
    channelId: a.channelId,
    serviceUrl: a.serviceUrl,
    conversation: {
      id: a.conversation.id,
      ...optional('isGroup', a.conversation.isGroup),
      ...optional('conversationType', a.conversation.conversationType),
      ...optional('tenantId', a.conversation.tenantId),
    },
    bot: { id: a.recipient.id, ...optional('name', a.recipient.name) },
    user: { id: a.from.id, ...optional('name', a.from.name) },
    ...optional('locale', a.locale),
  } as BotReplyRef;
}

/** Teams wraps mentions of the bot in `<at>…</at>`: the name is not part of what the person asked. */
function plainText(a: MessageActivity): string {
  return (a.text ?? '').replace(/<at>[^<]*<\/at>/g, '').trim();
}

export function activityEnvelope(a: MessageActivity, channel: string): Envelope {
  const attachments: Attachment[] = (a.attachments ?? []).flatMap((x): Attachment[] => {
    const file = teamsFileAttachment(x);
    if (file) return [file];
    if (x.contentType === TEAMS_FILE_CARD || !x.contentUrl) return [];
    return [{ contentType: x.contentType, url: x.contentUrl, ...(x.name ? { name: x.name } : {}) }];
  });
  const sentAt = a.timestamp instanceof Date ? a.timestamp.getTime() : Date.parse(a.timestamp ?? '');
  return {
    channel,
    // activity ids are unique within a conversation, not across channels
    providerId: `${a.channelId}/${a.conversation.id}/${a.id}`,
    touchpoint: { channel, kind: touchpointKind(a.channelId), visibility: visibilityOf(a) },
    threadKey: encodeThreadKey({ channelId: a.channelId, conversationId: a.conversation.id }),
    from: { kind: 'botframework', value: `${a.channelId}:${a.from.id}`, name: a.from.name ?? null },
    text: plainText(a),
    ...(attachments.length > 0 ? { attachments } : {}),
    replyRef: referenceOf(a),
    ...(Number.isNaN(sentAt) ? {} : { sentAt }),
    raw: a,
  };
}
