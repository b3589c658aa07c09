import { fill } from '../outbound/templates.ts';
import type { Settings } from '../settings/types.ts';

/**
 * How an agent is named to customers: their name in the staff roster
 * (oncall.yaml `people`), through the brand voice's `agentName` ("{agent} from
 * the bakery"); never the bare agent id when the roster knows them.
 */
export function agentDisplayName(settings: Settings): (agentId: string) => string {
  const { people } = settings.policies.oncall;
  const voice = settings.business.voice.agentName;
  return (agentId) => fill(voice, { agent: people[agentId]?.name ?? agentId }) || agentId;
}
