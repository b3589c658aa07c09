import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * Private Dovecot (IMAP + LMTP) and Postfix (SMTP) instances on 127.0.0.1,
 * each from its own config files in a temporary folder. Postfix hands every
 * message to Dovecot over LMTP, so nothing can leave the machine. Used by the
 * email adapter's tests and benchmarks.
 */

const run = promisify(execFile);

const binaries = {
  dovecot: { path: '/usr/sbin/dovecot', pkg: 'dovecot-core' },
  imap: { path: '/usr/lib/dovecot/imap', pkg: 'dovecot-imapd' },
  lmtp: { path: '/usr/lib/dovecot/lmtp', pkg: 'dovecot-lmtpd' },
  master: { path: '/usr/lib/postfix/sbin/master', pkg: 'postfix' },
  postqueue: { path: '/usr/sbin/postqueue', pkg: 'postfix' },
} as const;

export interface MailUser {
  address: string;
  password: string;
}

export interface MailServers {
  dir: string;
  host: '127.0.0.1';
  imapPort: number;
  lmtpPort: number;
  smtpPort: number;
  users: MailUser[];
  /** The password of a configured user. */
  password(address: string): string;
  /** Stops Dovecot (IMAP clients are disconnected; Postfix queues what arrives meanwhile). */
  stopDovecot(): Promise<void>;
  /** Starts Dovecot again on the same ports and mail folders. */
  startDovecot(): Promise<void>;
  /** Asks Postfix to deliver its deferred queue now. */
  flushQueue(): Promise<void>;
  /** Both servers' logs, for failure messages. */
  logs(): Promise<string>;
  stop(): Promise<void>;
}

export const defaultMailUsers = ['support@shop.test', 'customer@example.test', 'colleague@example.test'];

/** Throws, naming the Debian package, when a server binary is missing: these tests never skip silently. */
export function assertMailServersInstalled(): void {
  const missing = Object.values(binaries).filter((b) => !existsSync(b.path));
  if (missing.length === 0) return;
  const pkgs = [...new Set(missing.map((b) => b.pkg))];
  throw new Error(
    `mail server binaries missing: ${missing.map((b) => b.path).join(', ')}. ` +
      `Install the Debian packages: apt-get install --no-install-recommends ${pkgs.join(' ')}`,
  );
}

export async function startMailServers(opts: { users?: string[] } = {}): Promise<MailServers> {
  assertMailServersInstalled();
  const dir = await mkdtemp(join(tmpdir(), 'tp-mail-'));
  // Dovecot's auth and mail processes run as other users: they must reach into the folder.
  await chmod(dir, 0o755);
  const users = (opts.users ?? defaultMailUsers).map((address) => ({
    address,
    password: `pw-${address.split('@')[0]}`,
  }));
  const [imapPort, lmtpPort, smtpPort] = (await freePorts(3)) as [number, number, number];
  const running: ChildProcess[] = [];
  const killAll = () => {
    for (const p of running) killGroup(p, 'SIGKILL');
  };
  process.once('exit', killAll);

  let dovecot: ChildProcess | null = null;
  let postfix: ChildProcess | null = null;
  try {
    await writeDovecotConfig(dir, users, imapPort, lmtpPort);
    await writePostfixConfig(dir, smtpPort, lmtpPort);
    dovecot = await startDovecot(dir, imapPort, lmtpPort);
    running.push(dovecot);
    postfix = await startPostfix(dir, smtpPort);
    running.push(postfix);
  } catch (err) {
    killAll();
    process.off('exit', killAll);
    const logs = await readLogs(dir);
    // TP_KEEP_MAIL_DIR=1 keeps the folder to debug a server that does not start.
    if (!process.env.TP_KEEP_MAIL_DIR) await rm(dir, { recursive: true, force: true });
    throw new Error(`${(err as Error).message}\n${logs}`);
  }

  return {
    dir,
    host: '127.0.0.1',
    imapPort,
    lmtpPort,
    smtpPort,
    users,
    password(address) {
      const u = users.find((x) => x.address === address);
      if (!u) throw new Error(`no mail user ${address}`);
      return u.password;
    },
    async stopDovecot() {
      if (!dovecot) return;
      await stopProcess(dovecot);
      running.splice(running.indexOf(dovecot), 1);
      dovecot = null;
    },
    async startDovecot() {
      if (dovecot) return;
      dovecot = await startDovecot(dir, imapPort, lmtpPort);
      running.push(dovecot);
    },
    async flushQueue() {
      await run(binaries.postqueue.path, ['-c', join(dir, 'postfix'), '-f']);
    },
    logs: () => readLogs(dir),
    async stop() {
      await Promise.all(running.map(stopProcess));
      running.length = 0;
      process.off('exit', killAll);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const s = createServer();
          s.once('error', reject);
          s.listen(0, '127.0.0.1', () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/** The uid and gid mail files belong to: nobody when running as root, else the current user. */
function mailOwner(): { uid: number; gid: number } {
  const uid = process.getuid?.() ?? 0;
  return uid === 0 ? { uid: 65534, gid: 65534 } : { uid, gid: process.getgid?.() ?? 0 };
}

async function writeDovecotConfig(dir: string, users: MailUser[], imapPort: number, lmtpPort: number): Promise<void> {
  const d = join(dir, 'dovecot');
  for (const sub of ['run', 'state']) await mkdir(join(d, sub), { recursive: true });
  const mail = join(dir, 'mail');
  await mkdir(mail, { recursive: true });
  await chmod(mail, 0o777);
  const { uid, gid } = mailOwner();
  const asRoot = (process.getuid?.() ?? 0) === 0;
  const passwd = users
    .map((u) => `${u.address}:{PLAIN}${u.password}:${uid}:${gid}::${join(mail, u.address)}::`)
    .join('\n');
  await writeFile(join(d, 'users'), `${passwd}\n`, { mode: 0o644 });
  const whoami = asRoot ? '' : `default_login_user = ${process.env.USER ?? 'nobody'}\ndefault_internal_user = ${process.env.USER ?? 'nobody'}\n`;
  const conf = `
instance_name = tp-${imapPort}
base_dir = ${join(d, 'run')}
state_dir = ${join(d, 'state')}
log_path = ${join(d, 'dovecot.log')}
listen = 127.0.0.1
protocols = imap lmtp
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
${whoami}mail_location = maildir:~/Maildir
recipient_delimiter = +
lmtp_save_to_detail_mailbox = no
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${join(d, 'users')}
}
userdb {
  driver = passwd-file
  args = username_format=%u ${join(d, 'users')}
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${imapPort}
  }
  inet_listener imaps {
    port = 0
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = ${lmtpPort}
  }
}
`;
  await writeFile(join(d, 'dovecot.conf'), conf);
}

async function writePostfixConfig(dir: string, smtpPort: number, lmtpPort: number): Promise<void> {
  const p = join(dir, 'postfix');
  const queue = join(p, 'queue');
  const data = join(p, 'data');
  await mkdir(p, { recursive: true });
  const asRoot = (process.getuid?.() ?? 0) === 0;
  const owner = asRoot ? await postfixIds() : null;
  // Postfix's daemons expect these queue folders; creating them here skips `postfix check` (seconds).
  await mkdir(queue, { recursive: true });
  for (const sub of ['active', 'bounce', 'corrupt', 'defer', 'deferred', 'flush', 'hold', 'incoming', 'private', 'saved', 'trace', 'maildrop', 'public', 'pid']) {
    const path = join(queue, sub);
    await mkdir(path, { recursive: true });
    if (!owner || sub === 'pid') continue;
    if (sub === 'maildrop' || sub === 'public') {
      await chown(path, owner.postfix, owner.postdrop);
      await chmod(path, sub === 'maildrop' ? 0o730 : 0o710);
    } else {
      await chown(path, owner.postfix, 0);
      await chmod(path, 0o700);
    }
  }
  await mkdir(data, { recursive: true });
  if (owner) await chown(data, owner.postfix, 0);
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
${asRoot ? '' : `mail_owner = ${process.env.USER ?? ''}\nsetgid_group = ${process.env.USER ?? ''}\n`}`;
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

async function startDovecot(dir: string, imapPort: number, lmtpPort: number): Promise<ChildProcess> {
  const proc = spawnServer(
    binaries.dovecot.path,
    ['-F', '-c', join(dir, 'dovecot', 'dovecot.conf')],
    {},
    join(dir, 'dovecot', 'output.log'),
  );
  await Promise.all([waitForGreeting(proc, imapPort, '* OK'), waitForGreeting(proc, lmtpPort, '220')]);
  return proc;
}

async function startPostfix(dir: string, smtpPort: number): Promise<ChildProcess> {
  const proc = spawnServer(
    binaries.master.path,
    ['-d'],
    { MAIL_CONFIG: join(dir, 'postfix') },
    join(dir, 'postfix', 'output.log'),
  );
  await waitForGreeting(proc, smtpPort, '220');
  return proc;
}

function spawnServer(cmd: string, args: string[], env: Record<string, string>, output: string): ChildProcess {
  // Own process group, so stopping it also ends the daemons it forked. Output goes to a file: the
  // daemons keep it open, and Postfix reports start-up errors there before its own log exists.
  const fd = openSync(output, 'a');
  const proc = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', fd, fd], detached: true });
  closeSync(fd);
  proc.unref();
  return proc;
}

function killGroup(proc: ChildProcess, signal: NodeJS.Signals): void {
  if (proc.pid === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
  try {
    process.kill(-proc.pid, signal);
  } catch {
    // Already gone.
  }
}

async function stopProcess(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  killGroup(proc, 'SIGTERM');
  const timer = setTimeout(() => killGroup(proc, 'SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
  // Children the master forked may outlive it by a moment.
  killGroup(proc, 'SIGKILL');
}

/** Resolves once the server on `port` answers with its greeting; rejects if the process dies or 10 s pass. */
async function waitForGreeting(proc: ChildProcess, port: number, greeting: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (let attempt = 0; Date.now() < deadline; attempt++) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      throw new Error(`${proc.spawnfile} exited (${proc.exitCode ?? proc.signalCode}) before listening on ${port}`);
    }
    if (await greets(port, greeting)) return;
    await new Promise((r) => setTimeout(r, Math.min(10 * 2 ** attempt, 100)));
  }
  throw new Error(`${proc.spawnfile} did not answer on 127.0.0.1:${port} within 10 s`);
}

function greets(port: number, greeting: string): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = new Socket();
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(2_000, () => done(false));
    sock.once('error', () => done(false));
    sock.once('data', (chunk) => done(chunk.toString().startsWith(greeting)));
    sock.connect(port, '127.0.0.1');
  });
}

async function readLogs(dir: string): Promise<string> {
  const read = (path: string) => readFile(path, 'utf8').catch(() => '(no log)');
  const files = ['dovecot/output.log', 'dovecot/dovecot.log', 'postfix/output.log', 'postfix/postfix.log'];
  const texts = await Promise.all(files.map((f) => read(join(dir, f))));
  return files.map((f, i) => `--- ${f}\n${(texts[i] ?? '').slice(-4000)}`).join('\n');
}
