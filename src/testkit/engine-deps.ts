import { createRuleClassifier } from '../decide/classify.ts';
import type { RouteStep } from '../decide/context.ts';
import type { RouteDeps } from '../decide/route-event.ts';
import { routeSteps } from '../decide/route-steps.ts';
import { flowSteps } from '../flow-language/inbound-steps.ts';
import { createOutbound, type DestinationOf } from '../outbound/outbound.ts';
import type { Settings } from '../settings/types.ts';

/** Every thread's messages go to its own thread key: no adapter is loaded. */
export const toThreadKey: DestinationOf = (_channel, threadKey) => threadKey;

/**
 * Routing with the flow engine alone, no policies: the transcripts, and
 * tests of the pipeline and the engine.
 */
export function engineRouteDeps(
  settings: Settings,
  o: { destinationOf?: DestinationOf; wakeOnCustomer?: RouteStep } = {},
): RouteDeps {
  return {
    settings,
    steps: routeSteps({
      classifier: createRuleClassifier(settings.intents),
      flows: flowSteps,
      wakeOnCustomer: o.wakeOnCustomer,
    }),
    outbound: createOutbound({ destinationOf: o.destinationOf ?? toThreadKey }),
  };
}
