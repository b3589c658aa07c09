import type { Clock } from '../clock.ts';
import type { RouteRegistry } from '../http/http-types.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/contract.ts';
import { createUnsubscribeLinks, resolveUnsubscribeKey, type UnsubscribeLinks } from './links.ts';
import { registerUnsubscribeRoutes } from './routes.ts';

/** Serves the signed unsubscribe endpoint under `publicUrl` and gives the adapters their links (email's List-Unsubscribe). */
export async function serveUnsubscribe(
  routes: RouteRegistry,
  publicUrl: string,
  o: { store: Store; clock: Clock; log: Logger; business: { readonly business: { readonly name: string } } },
): Promise<Pick<UnsubscribeLinks, 'url'>> {
  const links = createUnsubscribeLinks({ key: await resolveUnsubscribeKey(o.store), publicUrl, clock: o.clock });
  registerUnsubscribeRoutes(routes, {
    store: o.store,
    clock: o.clock,
    log: o.log.child({ part: 'unsubscribe' }),
    links,
    // the config in force: a reload renames the business on the page at once
    business: () => o.business.business.name,
  });
  return { url: links.url };
}
