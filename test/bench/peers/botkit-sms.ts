/**
 * Peer: Botkit with its Twilio SMS adapter, memory storage only, answering
 * every message with one reply through Twilio's REST API (the twilio client
 * pointed at the fake). Env: PORT, API_URL, PUBLIC_URL, ACCOUNT_SID,
 * AUTH_TOKEN, NUMBER. Prints {"url"} when it serves.
 */
import { TwilioAdapter } from 'botbuilder-adapter-twilio-sms';
import { Botkit } from 'botkit';
import { REPLY, required } from './peer-env.ts';

const adapter = new TwilioAdapter({
  twilio_number: required('NUMBER'),
  account_sid: required('ACCOUNT_SID'),
  auth_token: required('AUTH_TOKEN'),
  validation_url: `${required('PUBLIC_URL')}/twilio/sms`,
});
// The adapter builds its own twilio client; its REST domain goes to the fake instead of api.twilio.com.
adapter.api.api.baseUrl = required('API_URL');

const controller = new Botkit({ adapter, webhook_uri: '/twilio/sms', disable_console: true });
controller.on('message', async (bot, message) => {
  await bot.reply(message, REPLY);
});
controller.ready(() => {
  const address = controller.http.address() as { port: number };
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${address.port}` })}\n`);
});
process.on('SIGTERM', () => controller.http.close(() => process.exit(0)));
