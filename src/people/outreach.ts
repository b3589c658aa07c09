import { z } from 'zod';
import type { Clock } from '../clock.ts';
import { liveContact } from '../contacts/merge.ts';
import { HttpError, notFound } from '../errors.ts';
import type { RouteRegistry } from '../http/http-types.ts';
import { jsonBody } from '../http/json-body.ts';
import type { Conversation, Message } from '../model/types.ts';
import { type FirstContactDeps, reachContact } from '../outbound/first-contact.ts';
import type { Outbound } from '../outbound/outbound.ts';
import { renderTemplate } from '../outbound/templates.ts';
import type { Settings } from '../settings/types.ts';
import type { Store } from '../store/contract.ts';
import { agentDisplayName } from './agent-name.ts';

/**
 * `POST /api/contacts/:id/conversations`: an agent writes to a contact who
 * never wrote, or never on that channel. The channel is the one asked, or the
 * one contacts.yaml's first-contact rules choose; the message (free text or a
 * template, whose approved WhatsApp version goes when the reply window is
 * closed) passes the outbound chain like every other. A refusal (opted out, no
 * recorded consent, no template outside the window) is a 409 with why, and
 * nothing is kept.
 */

const outreachBody = z
  .object({
    by: z.string().trim().min(1).max(200).describe('The agent writing'),
    channel: z.string().trim().min(1).max(50).optional(),
    text: z.string().trim().min(1).max(10_000).optional(),
    template: z.string().trim().min(1).max(200).optional().describe('A template id from templates.yaml'),
    vars: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
  })
  .strict()
  .refine((b) => (b.text === undefined) !== (b.template === undefined), {
    message: 'give text or template (one of them)',
    path: ['text'],
  });

export interface OutreachDeps {
  store: Store;
  clock: Clock;
  settings: Settings;
  outbound: Outbound;
  firstContact: FirstContactDeps;
  /** After commit: the outbox and the desk are told. */
  onMessages: (conversation: Conversation, messages: Message[]) => void;
}

export function registerOutreachApi(routes: RouteRegistry, deps: OutreachDeps): void {
  routes.add(
    'POST',
    '/api/contacts/:id/conversations',
    async (req) => {
      const body = jsonBody(req, outreachBody);
      const out = await deps.store.transaction(async (tx) => {
        const now = deps.clock.now();
        const contact = await liveContact(tx, req.params.id as string);
        const def = body.template !== undefined ? deps.settings.templates[body.template] : undefined;
        if (body.template !== undefined && def === undefined)
          throw notFound(`no template "${body.template}" in templates.yaml`);
        const templated = typeof def === 'object' && def.whatsapp !== undefined;
        const reached = await reachContact(
          tx,
          { contact, channel: body.channel, templated, status: 'pending', assignee: body.by, now },
          deps.firstContact,
        );
        if ('refused' in reached)
          throw new HttpError(409, 'unreachable', `cannot write to this contact: ${reached.refused.join('; ')}`);
        const { conversation, opened } = reached;
        const channel = conversation.touchpoint.channel;
        const rendered = body.template
          ? renderTemplate(deps.settings.templates, body.template, {
              channel,
              language: contact.language,
              vars: { name: contact.name, business: deps.settings.business.name, channel, ...body.vars },
            })
          : { text: body.text as string };
        const message = await deps.outbound.send(
          tx,
          {
            conversation,
            contact,
            text: rendered.text,
            author: { kind: 'agent', id: body.by, name: agentDisplayName(deps.settings)(body.by) },
            ...(rendered.subject ? { subject: rendered.subject } : {}),
            ...(body.template ? { templateId: body.template } : {}),
            ...(rendered.whatsapp ? { whatsappTemplate: rendered.whatsapp } : {}),
          },
          now,
        );
        if (message.status === 'failed')
          throw new HttpError(409, 'unreachable', `the message was refused: ${message.error ?? 'no reason given'}`);
        return { conversation, opened, message };
      });
      deps.onMessages(out.conversation, [out.message]);
      return { status: out.opened ? 201 : 200, body: out };
    },
    {
      auth: 'admin',
      maxBodyBytes: 64 * 1024,
      doc: {
        summary: 'Write first to a contact: opens a conversation on a channel that reaches them',
        body: outreachBody,
        status: 201,
      },
    },
  );
}
