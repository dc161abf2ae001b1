import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import request from 'supertest';
import { DesktopSocket } from './support/desktop-socket';
import { createQrSession, scan, signUpAndLogin, type HttpTarget } from './support/factories';
import { childProcesses, isAlive, startServiceProcess, type ServiceProcess } from './support/service-process';

/**
 * `WORKERS=2` as a user runs it: the built service, no DATABASE_URL, so the primary starts the embedded PostgreSQL
 * once and two workers serve one port (node:cluster).
 */
describe('WORKERS=2: two processes on one port, one embedded database', () => {
  let dataDir: string;
  let service: ServiceProcess;
  let target: HttpTarget;
  const workers = () => childProcesses(service.pid, 'dist/apps/api/src/main.js');
  const postgresServers = (pid: number) => childProcesses(pid, '/bin/postgres');

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'qr-login-workers-'));
    // As root, the embedded server runs as the postgres user, which must reach the directory.
    chmodSync(dataDir, 0o755);
    service = await startServiceProcess({ WORKERS: '2', DATA_DIR: dataDir });
    target = { http: () => request(service.url) };
  }, 120_000);
  afterAll(async () => {
    await service?.stop('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs two workers under the primary, which alone started PostgreSQL', () => {
    const pids = workers();
    expect(pids).toHaveLength(2);
    expect(postgresServers(service.pid)).toHaveLength(1);
    for (const pid of pids) expect(postgresServers(pid)).toHaveLength(0);
  });

  it("signs a desktop in through both workers, each accepting the other's tokens", async () => {
    const phone = await signUpAndLogin(target);
    const { session } = await createQrSession(target);
    // Two sockets on separate connections: the primary hands connections to the workers in turn.
    const desktops = await Promise.all([1, 2].map(() => DesktopSocket.connect(service.url, { qrId: session.id, secret: session.secret })));
    try {
      for (const desktop of desktops) await desktop.next('status');
      // One on each worker: whichever worker answers, it holds one of the two (both on one would show 2, or 0).
      const metrics = (await target.http().get('/metrics').set('Connection', 'close').expect(200)).text;
      expect(metrics).toMatch(/^qr_connected_sockets\{namespace="qr"\} 1$/m);
      const { scanTicket } = await scan(target, phone, session.id);
      await target.http().post(`/api/qr-sessions/${session.id}/confirm`).set(phone.headers).send({ scanTicket }).expect(200);
      const confirmed = await Promise.all(desktops.map((desktop) => desktop.next('confirmed')));
      const login = confirmed[0].login!;
      for (let i = 0; i < 4; i++) {
        await target
          .http()
          .get('/api/me')
          .set({ Authorization: `Bearer ${login.accessToken}`, 'X-Device-Id': login.device.id })
          .expect(200);
      }
    } finally {
      desktops.forEach((desktop) => desktop.close());
    }
  });

  it('replaces a worker that dies, and the port keeps answering', async () => {
    const [victim, survivor] = workers();
    process.kill(victim, 'SIGKILL');
    const deadline = Date.now() + 20_000;
    let now = workers();
    while (!(now.length === 2 && !now.includes(victim))) {
      if (Date.now() > deadline) throw new Error(`no replacement worker; children: ${now.join(', ')}\n${service.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      now = workers();
    }
    expect(now).toContain(survivor);
    for (let i = 0; i < 6; i++) await target.http().get('/api/health').set('Connection', 'close').expect(200);
  });

  it('stops every worker and the database on SIGTERM, then exits 0', async () => {
    const pids = [...workers(), ...postgresServers(service.pid)];
    expect(pids).toHaveLength(3);
    expect(await service.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
  });
});

/**
 * One process on the embedded PostgreSQL it started, as `npm start` runs it: nothing else can reach that database, so a
 * transition's change goes to the process's own desktops only, without a NOTIFY that would come back to it alone. The
 * WORKERS=2 sign-in above shows the other side: with workers, a change still reaches a desktop on another process.
 */
describe('WORKERS=1 on the embedded database: alone on it', () => {
  let dataDir: string;
  let service: ServiceProcess;
  let target: HttpTarget;
  let listener: pg.Client | undefined;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'qr-login-alone-'));
    chmodSync(dataDir, 0o755);
    service = await startServiceProcess({ DATA_DIR: dataDir });
    target = { http: () => request(service.url) };
  }, 120_000);
  afterAll(async () => {
    await listener?.end();
    await service?.stop('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("pushes a sign-in to its desktop without a NOTIFY for the session's changes; other messages still use NOTIFY", async () => {
    // The embedded server's address, as the service logs it, and its password file, as an operator's psql finds them.
    const [, url, passwordFile] = /the embedded PostgreSQL listens at (\S+) \(its password is in ([^)]+)\)/.exec(service.stdout()) ?? [];
    expect(url).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/qr_login$/);
    const withPassword = new URL(url);
    withPassword.password = encodeURIComponent(readFileSync(passwordFile, 'utf8').trim());
    listener = new pg.Client({ connectionString: withPassword.toString() });
    await listener.connect();
    const heard: string[] = [];
    listener.on('notification', (message) => heard.push(message.channel));
    await listener.query('LISTEN qr_session_events');
    await listener.query('LISTEN sign_in_alerts');

    // A password sign-in publishes its alert through the bus: NOTIFY, which this listener hears.
    const phone = await signUpAndLogin(target);
    const { session } = await createQrSession(target);
    const desktop = await DesktopSocket.connect(service.url, { qrId: session.id, secret: session.secret });
    try {
      await desktop.next('status');
      const { scanTicket } = await scan(target, phone, session.id);
      await desktop.next('scanned');
      await target.http().post(`/api/qr-sessions/${session.id}/confirm`).set(phone.headers).send({ scanTicket }).expect(200);
      expect((await desktop.next('confirmed')).login?.accessToken).toEqual(expect.any(String));
    } finally {
      desktop.close();
    }
    // A round trip on the listener's own connection: a notification sent before it would have arrived by now.
    await listener.query('SELECT 1');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(heard).toEqual(['sign_in_alerts']);
  });

  it('stops on SIGTERM with exit 0, its connections closed before its database stops (no error in its log)', async () => {
    await listener?.end();
    listener = undefined;
    expect(await service.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    const warnings = service
      .stdout()
      .split('\n')
      .filter((line) => /"level":"(warn|error|fatal)"/.test(line));
    expect(warnings).toEqual([]);
  });
});
