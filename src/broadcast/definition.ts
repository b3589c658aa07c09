import { z } from 'zod';
import { badRequest, HttpError } from '../errors.ts';
import { type TemplateDef, templateDef } from '../settings/schema.ts';
import type { NewBroadcast, Segment } from '../store/broadcast-records.ts';

const instant = z.iso
  .datetime({ offset: true })
  .or(z.iso.date())
  .describe('An ISO 8601 date or date-time with its offset');

export const segmentBody = z
  .object({
    tags: z.array(z.string().min(1).max(100)).max(20).optional().describe('Contacts with every one of these tags'),
    attributes: z
      .record(z.string().regex(/^[\w-]+$/, 'an attribute name: letters, digits, _ or -'), z.string().max(500))
      .optional()
      .describe('Contacts whose attributes have these values'),
    vip: z.boolean().optional(),
    channel: z.string().min(1).optional().describe('Contacts who have a conversation on this channel'),
    consent: z.string().min(1).optional().describe('Contacts with recorded consent for this channel'),
    lastContactAfter: instant.optional().describe('Their last message to us came at or after this'),
    lastContactBefore: instant.optional().describe('Their last message to us came before this'),
    bug: z
      .string()
      .min(1)
      .max(500)
      .optional()
      .describe(
        'Contacts with a conversation linked to this known issue: the bug id, or the issue number (42, #42) or URL in the tracker',
      ),
  })
  .strict();

export const createBody = z
  .object({
    name: z.string().min(1).max(200),
    channel: z.string().min(1).describe('The channel every message goes on (sms, whatsapp, email …)'),
    template: z.string().min(1).optional().describe('A template of templates.yaml'),
    message: templateDef.optional().describe('Or the template itself, in the shape templates.yaml uses'),
    segment: segmentBody.default({}),
    startAt: instant.optional().describe('When sending starts; now when left out'),
    quietHours: z
      .boolean()
      .default(true)
      .describe('Send to each recipient only while the business calendar is open in their own timezone'),
  })
  .strict();

export type CreateBody = z.infer<typeof createBody>;

/** The stored broadcast for a request, checked against the channels and templates in force. */
export function newBroadcast(
  body: CreateBody,
  ctx: { templates: Record<string, TemplateDef>; channels: readonly string[]; by: string; now: number },
): NewBroadcast {
  if (!ctx.channels.includes(body.channel)) {
    const known = ctx.channels.length > 0 ? ctx.channels.join(', ') : 'none is enabled';
    throw new HttpError(400, 'unknown_channel', `channel "${body.channel}" is not enabled here (enabled: ${known})`);
  }
  if ((body.template === undefined) === (body.message === undefined)) {
    throw badRequest('give either "template" (a name in templates.yaml) or "message" (the template itself), not both');
  }
  const message = body.template === undefined ? body.message : ctx.templates[body.template];
  if (message === undefined) {
    throw badRequest(`no template named "${body.template}" in templates.yaml`, 'template_missing');
  }
  const startAt = body.startAt === undefined ? ctx.now : Date.parse(body.startAt);
  return {
    name: body.name,
    channel: body.channel,
    segment: segmentOf(body.segment),
    message,
    quietHours: body.quietHours,
    status: 'scheduled',
    startAt,
    createdBy: ctx.by,
    createdAt: ctx.now,
  };
}

function segmentOf(s: z.infer<typeof segmentBody>): Segment {
  const out: Segment = {};
  if (s.tags?.length) out.tags = s.tags;
  if (s.attributes && Object.keys(s.attributes).length > 0) out.attributes = s.attributes;
  if (s.vip !== undefined) out.vip = s.vip;
  if (s.channel !== undefined) out.channel = s.channel;
  if (s.consent !== undefined) out.consent = s.consent;
  if (s.lastContactAfter !== undefined) out.lastContactAfter = Date.parse(s.lastContactAfter);
  if (s.lastContactBefore !== undefined) out.lastContactBefore = Date.parse(s.lastContactBefore);
  // Named as the request named it; createBroadcast resolves it to the bug's id against the store.
  if (s.bug !== undefined) out.bug = s.bug;
  return out;
}
