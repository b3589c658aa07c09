import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.ts';

const level = process.env.LOG_LEVEL;
afterEach(() => {
  if (level === undefined) delete process.env.LOG_LEVEL;
  else process.env.LOG_LEVEL = level;
});

function capture() {
  process.env.LOG_LEVEL = 'info';
  let out = '';
  const log = createLogger(
    {},
    {
      write: (line: string) => {
        out += line;
      },
    },
  );
  return {
    log,
    lines: () =>
      out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe('log redaction', () => {
  it('masks secrets, tokens and signatures at the top of an entry, one level down and in request headers', () => {
    const { log, lines } = capture();
    log.info(
      {
        authorization: 'Bearer tp_abc.secret-1',
        token: 'secret-2',
        config: { authToken: 'secret-3', botToken: 'xoxb-secret-4', signingSecret: 'secret-5' },
        headers: {
          authorization: 'Basic secret-6',
          'x-twilio-signature': 'secret-7',
          'x-slack-signature': 'v0=secret-8',
        },
        err: { config: { headers: { authorization: 'Bearer secret-9' } } },
      },
      'with secrets',
    );
    const line = JSON.stringify(lines());
    for (let i = 1; i <= 9; i++) expect(line).not.toContain(`secret-${i}`);
    expect(line).toContain('[redacted]');
  });

  it('masks personal fields and raw payloads, and numbers and addresses inside free text', () => {
    const { log, lines } = capture();
    log.warn(
      {
        from: '+447700900111',
        job: { destination: '+447700900222', text: 'my address is 1 Elm Road' },
        payload: 'Body=hello&From=%2B447700900333',
        envelope: { text: 'raw text' },
        name: 'Ann Lee',
        reason: 'Twilio refused +447700900444 and ann@example.com',
      },
      'sender whatsapp:+447700900555 ignored',
    );
    const [entry] = lines();
    expect(entry).toMatchObject({
      from: '[redacted]',
      job: { destination: '[redacted]', text: '[redacted]' },
      payload: '[redacted]',
      envelope: '[redacted]',
      name: '[redacted]',
      reason: 'Twilio refused [phone] and [email]',
      msg: 'sender [phone] ignored',
    });
  });

  it('keeps what an operator needs: ids, channels, error classes and codes', () => {
    const { log, lines } = capture();
    const err = Object.assign(new Error('send to +447700900666 failed'), { code: 'send_permanent' });
    err.name = 'SendError';
    log.error({ err, jobId: '01abc', channel: 'sms', providerId: 'SM123' }, 'failed');
    const [entry] = lines();
    expect(entry).toMatchObject({ jobId: '01abc', channel: 'sms', providerId: 'SM123' });
    expect(entry?.err).toMatchObject({ message: 'send to [phone] failed', code: 'send_permanent' });
  });
});
