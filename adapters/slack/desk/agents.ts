import type { DeskAgent, DeskSettings } from '../settings.ts';

/** The Slack users allowed to act, and how their replies are signed. */
export interface Agents {
  bySlackUser(user: string | undefined): DeskAgent | null;
  byAgentId(id: string | null): DeskAgent | null;
  /** The agent's text as the customer receives it: with the configured signature. */
  signed(agent: DeskAgent, text: string): string;
}

export function createAgents(desk: DeskSettings): Agents {
  const bySlack = new Map(desk.agents.map((a) => [a.slackUser, a]));
  const byId = new Map(desk.agents.map((a) => [a.agent, a]));
  return {
    bySlackUser: (user) => (user ? (bySlack.get(user) ?? null) : null),
    byAgentId: (id) => (id ? (byId.get(id) ?? null) : null),
    signed(agent, text) {
      if (!desk.signature) return text;
      return `${text}${desk.signature.replaceAll('{agent}', agent.name ?? agent.agent)}`;
    },
  };
}

export const REFUSAL =
  'Only agents listed in the desk’s configuration can act on conversations. Ask an admin to add your Slack user to `channels.slack.desk.agents`.';
