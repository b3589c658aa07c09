import { fill } from '../outbound/templates.ts';
import type { Settings } from '../settings/types.ts';

/**
 * How an agent is named to customers: their name in the staff roster
 * (oncall.yaml `people`), through the brand voice's `agentName` ("{agent} from
 * the bakery"); else the display name of their account; never the bare agent id when either knows them.
 */
export function agentDisplayName(settings: Settings): (agentId: string, accountName?: string) => string {
  const { people } = settings.policies.oncall;
  const voice = settings.business.voice.agentName;
  return (agentId, accountName) => {
    const name = people[agentId]?.name ?? accountName ?? agentId;
    return fill(voice, { agent: name }) || name;
  };
}
