import type { Priority } from '../model/types.ts';
import type { SlaPolicy, SlaSettings } from './policy-schema.ts';

/** The first SLA policy of sla.yaml that covers a conversation's channel, priority and VIP status. */
export function selectPolicy(
  sla: SlaSettings,
  c: { channel: string; priority: Priority; vip: boolean },
): SlaPolicy | null {
  return (
    sla.policies.find(
      (p) =>
        (p.channels.length === 0 || p.channels.includes(c.channel)) &&
        (p.priorities.length === 0 || p.priorities.includes(c.priority)) &&
        (p.vip === undefined || p.vip === c.vip),
    ) ?? null
  );
}
