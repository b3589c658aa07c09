import { slackDefinition } from '../../../../adapters/slack/definition.ts';
import { slackSettings } from '../../../../adapters/slack/settings.ts';
import { VirtualClock } from '../../../../src/clock.ts';
import { silentLogger } from '../../../../src/log.ts';
import { FakeSlackApi } from '../../../fakes/slack-api.ts';
import { serveAdapter } from '../../../support/http-harness.ts';
import { slackSender } from './slack-requests.ts';

export const CUSTOMER_SECRET = 'customer-signing-secret';
const TOKEN = 'xoxb-customer-token';

/** The Slack adapter taking customers (DMs and public channels) on a fake host, against the fake Slack API. */
export async function startCustomerSlack() {
  const slack = await FakeSlackApi.start({ token: TOKEN });
  const clock = new VirtualClock(Date.now());
  const adapter = await slackDefinition.create(
    slackSettings.parse({
      botToken: TOKEN,
      signingSecret: CUSTOMER_SECRET,
      apiBaseUrl: slack.apiUrl,
      customers: { enabled: true, publicChannels: true },
    }),
    { log: silentLogger, clock },
  );
  const served = await serveAdapter(adapter, 'https://touchpoint.example.com', clock);
  const url = `${served.harness.url}/slack/events`;
  return {
    ...served.fake,
    url,
    send: slackSender(url, CUSTOMER_SECRET),
    async close() {
      await served.close();
      await slack.stop();
    },
  };
}
