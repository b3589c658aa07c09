import type { Clock } from '../clock.ts';
import { notFound } from '../errors.ts';
import { escapeHtml as e, pageHeaders } from '../http/html.ts';
import type { HttpResponse, RouteRegistry } from '../http/http-types.ts';
import type { Logger } from '../log.ts';
import { marketingOptOut } from '../outbound/outbound.ts';
import type { Store } from '../store/contract.ts';
import { UNSUBSCRIBE_PATH, type UnsubscribeLinks } from './links.ts';

export interface UnsubscribeDeps {
  store: Store;
  clock: Clock;
  log: Logger;
  links: UnsubscribeLinks;
  /** The business's name, as the page names it (the config in force). */
  business: () => string;
}

const page = (status: number, title: string, body: string, lang = 'en'): HttpResponse => ({
  status,
  headers: pageHeaders({ inlineStyleOnly: true }),
  body: `<!doctype html>
<html lang="${e(lang)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(title)}</title>
<style>body{font:1rem/1.5 system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#1a1a1a}button{font:inherit;padding:.5rem 1rem}</style>
</head><body><main><h1>${e(title)}</h1>${body}</main></body></html>
`,
});

/**
 * `GET /unsubscribe/:conversationId?c=&e=&s=`: a page asking to confirm (a GET
 * changes nothing: mail scanners follow links); `POST` to the same URL — the
 * mail client's one-click (`List-Unsubscribe=One-Click`, RFC 8058) or the
 * page's button — records the conversation's customer's opt-out of marketing
 * on that channel (`<channel>:marketing`; answers still reach them), at once. A forged or expired link is refused with 403 and the reason.
 */
export function registerUnsubscribeRoutes(routes: RouteRegistry, d: UnsubscribeDeps): void {
  const path = `${UNSUBSCRIBE_PATH}/:conversationId`;

  routes.add('GET', path, async (req) => {
    const id = req.params.conversationId ?? '';
    const { channel } = d.links.verify(id, req.query);
    const action = `${UNSUBSCRIBE_PATH}/${encodeURIComponent(id)}?${req.query}`;
    return page(
      200,
      `Unsubscribe from ${d.business()}`,
      `<p>You will get no more marketing by ${e(channel)} from ${e(d.business())}. Answers to your own questions still reach you.</p>
<form method="post" action="${e(action)}"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Unsubscribe</button></form>`,
    );
  });

  routes.add(
    'POST',
    path,
    async (req) => {
      const id = req.params.conversationId ?? '';
      const { channel } = d.links.verify(id, req.query);
      const now = d.clock.now();
      const contactId = await d.store.transaction(async (tx) => {
        const conversation = await tx.getConversation(id);
        const contact = conversation ? await tx.getContact(conversation.contactId) : null;
        if (!contact) throw notFound('this customer’s data was erased: nothing more is sent to them');
        const scope = marketingOptOut(channel);
        if (contact.optOuts.includes(scope)) return contact.id;
        await tx.updateContact(contact.id, { optOuts: [...contact.optOuts, scope] });
        const source = 'unsubscribe link (List-Unsubscribe)';
        await tx.recordContactChange({
          contactId: contact.id,
          kind: 'opt-out',
          channel: scope,
          on: true,
          source,
          at: now,
        });
        return contact.id;
      });
      d.log.info({ contactId, channel }, 'opted out by an unsubscribe link');
      return page(
        200,
        'You are unsubscribed',
        `<p>${e(d.business())} will send you no more marketing by ${e(channel)}.</p>`,
      );
    },
    { maxBodyBytes: 4_096 },
  );
}
