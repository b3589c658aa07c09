import type { ChildProcess } from 'node:child_process';
import { chmod, chown, mkdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spawnServer, waitForGreeting } from './daemon.ts';

/** A private Postfix: SMTP on 127.0.0.1, every message handed to Dovecot over LMTP so nothing leaves the machine. */

export const POSTFIX_MASTER = '/usr/lib/postfix/sbin/master';

export async function writePostfixConfig(dir: string, smtpPort: number, lmtpPort: number): Promise<void> {
  const p = join(dir, 'postfix');
  const queue = join(p, 'queue');
  const data = join(p, 'data');
  await mkdir(p, { recursive: true });
  const owner = await postfixIds();
  // Postfix's daemons expect these queue folders; creating them here skips `postfix check` (seconds).
  await mkdir(queue, { recursive: true });
  for (const sub of [
    'active',
    'bounce',
    'corrupt',
    'defer',
    'deferred',
    'flush',
    'hold',
    'incoming',
    'private',
    'saved',
    'trace',
    'maildrop',
    'public',
    'pid',
  ]) {
    const path = join(queue, sub);
    await mkdir(path, { recursive: true });
    if (sub === 'pid') continue;
    if (sub === 'maildrop' || sub === 'public') {
      await chown(path, owner.postfix, owner.postdrop);
      await chmod(path, sub === 'maildrop' ? 0o730 : 0o710);
    } else {
      await chown(path, owner.postfix, 0);
      await chmod(path, 0o700);
    }
  }
  await mkdir(data, { recursive: true });
  await chown(data, owner.postfix, 0);
  const lmtp = `lmtp:inet:127.0.0.1:${lmtpPort}`;
  const main = `
compatibility_level = 3.6
queue_directory = ${queue}
data_directory = ${data}
meta_directory = ${p}
myhostname = mx.shop.test
mydomain = shop.test
myorigin = shop.test
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mydestination =
local_recipient_maps =
relay_domains =
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
smtpd_peername_lookup = no
default_transport = ${lmtp}
relay_transport = ${lmtp}
local_transport = ${lmtp}
alias_maps =
alias_database =
recipient_delimiter = +
maillog_file = ${join(p, 'postfix.log')}
maillog_file_prefixes = ${p}
queue_run_delay = 1s
in_flow_delay = 0
minimal_backoff_time = 1s
maximal_backoff_time = 2s
lmtp_connect_timeout = 2s
biff = no
smtputf8_enable = no
`;
  const service = (name: string, type: string, priv: string, limit: string, command: string) =>
    `${name} ${type} ${priv} - n - ${limit} ${command}`;
  const master = [
    service(`127.0.0.1:${smtpPort}`, 'inet', 'n', '-', 'smtpd'),
    service('pickup', 'unix', 'n', '1', 'pickup'),
    service('cleanup', 'unix', 'n', '0', 'cleanup'),
    service('qmgr', 'unix', 'n', '1', 'qmgr'),
    service('rewrite', 'unix', '-', '-', 'trivial-rewrite'),
    service('bounce', 'unix', '-', '0', 'bounce'),
    service('defer', 'unix', '-', '0', 'bounce'),
    service('trace', 'unix', '-', '0', 'bounce'),
    service('verify', 'unix', '-', '1', 'verify'),
    service('flush', 'unix', 'n', '0', 'flush'),
    service('proxymap', 'unix', '-', '-', 'proxymap'),
    service('showq', 'unix', 'n', '-', 'showq'),
    service('error', 'unix', '-', '-', 'error'),
    service('retry', 'unix', '-', '-', 'error'),
    service('discard', 'unix', '-', '-', 'discard'),
    service('lmtp', 'unix', '-', '-', 'lmtp'),
    service('anvil', 'unix', '-', '1', 'anvil'),
    service('scache', 'unix', '-', '1', 'scache'),
    service('postlog', 'unix-dgram', 'n', '1', 'postlogd'),
  ].join('\n');
  await writeFile(join(p, 'main.cf'), main);
  await writeFile(join(p, 'master.cf'), `${master}\n`);
  // Postfix waits while main.cf looks freshly written.
  const past = new Date(Date.now() - 60_000);
  await utimes(join(p, 'main.cf'), past, past);
  await utimes(join(p, 'master.cf'), past, past);
}

async function postfixIds(): Promise<{ postfix: number; postdrop: number }> {
  const [passwd, group] = await Promise.all([readFile('/etc/passwd', 'utf8'), readFile('/etc/group', 'utf8')]);
  const idOf = (text: string, name: string, what: string) => {
    const line = text.split('\n').find((l) => l.startsWith(`${name}:`));
    if (!line) throw new Error(`${what} "${name}" missing: reinstall the Debian package postfix`);
    return Number(line.split(':')[2]);
  };
  return { postfix: idOf(passwd, 'postfix', 'user'), postdrop: idOf(group, 'postdrop', 'group') };
}

export async function startPostfix(dir: string, smtpPort: number): Promise<ChildProcess> {
  const proc = spawnServer(
    POSTFIX_MASTER,
    ['-d'],
    { MAIL_CONFIG: join(dir, 'postfix') },
    join(dir, 'postfix', 'output.log'),
  );
  await waitForGreeting(proc, smtpPort, '220');
  return proc;
}
