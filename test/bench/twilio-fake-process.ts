/**
 * The Twilio fake in a process of its own, for benches that judge pacing: in
 * the router's process, the fake would stamp a request only once the router's
 * event loop let it run, so a stall there would bunch the stamps of requests
 * that reached the socket well apart. Prints `{"url": …}` once listening;
 * answers an IPC `log` with every request it logged.
 * Env: ACCOUNT_SID, AUTH_TOKEN, LATENCY_MS.
 */
import { FakeTwilioApi } from '../fakes/twilio-api.ts';

const api = await FakeTwilioApi.start({
  accountSid: process.env.ACCOUNT_SID ?? '',
  authToken: process.env.AUTH_TOKEN ?? '',
  latencyMs: Number(process.env.LATENCY_MS ?? 5),
});
process.on('message', (m) => {
  if (m === 'log') process.send?.({ log: api.log });
});
process.on('disconnect', () => void api.close().then(() => process.exit(0)));
process.stdout.write(`${JSON.stringify({ url: api.url })}\n`);
