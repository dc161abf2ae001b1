import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer as createNetServer, type AddressInfo } from 'node:net';
import { networkInterfaces, tmpdir, type NetworkInterfaceInfo } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { DesktopSocket } from './support/desktop-socket';
import { createQrSession, scan, signUpAndLogin, type HttpTarget } from './support/factories';
import { buildApi, MAIN, ROOT, startServiceProcess, type Exit, type ServiceProcess } from './support/service-process';
import { createTestDatabase, type TestDatabase } from './support/test-database';

interface LogLine {
  level: string;
  msg: string;
  context?: string;
  [field: string]: unknown;
}

/** Every line the process wrote to stdout, each of which must be a JSON object. */
function logLines(service: ServiceProcess): LogLine[] {
  return service
    .stdout()
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as LogLine;
      } catch {
        throw new Error(`not a JSON log line: ${line}`);
      }
    });
}

/**
 * Sends the head of a POST with `Expect: 100-continue` and resolves once the server has read it (it answers
 * "100 Continue"): from then on the request is in flight. `finish()` sends the body and resolves with the response.
 */
function startSlowRequest(port: number, path: string, body: string): Promise<{ finish(): Promise<string>; closed: Promise<void> }> {
  return new Promise((resolveStart, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    let continued = false;
    const closed = new Promise<void>((resolveClose) => socket.once('close', () => resolveClose()));
    socket.on('error', reject);
    socket.on('data', (chunk) => {
      received += chunk.toString();
      if (!continued && received.includes('100 Continue')) {
        continued = true;
        received = '';
        resolveStart({
          finish: () => {
            socket.write(body);
            return closed.then(() => received);
          },
          closed,
        });
      }
    });
    socket.write(
      `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        'Expect: 100-continue\r\n\r\n',
    );
  });
}

/**
 * The built service as a real process (`node dist/apps/api/src/main.js`): its log lines, its request ids, and how it
 * stops on SIGTERM and SIGINT (contract §7).
 */
describe('the service process', () => {
  let db: TestDatabase;
  let dataDir: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'qr-login-process-'));
  });
  afterAll(async () => {
    await db?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  describe('logs', () => {
    let service: ServiceProcess;
    let target: HttpTarget;

    beforeAll(async () => {
      service = await startServiceProcess({ DATABASE_URL: db.url, DATA_DIR: dataDir });
      target = { http: () => request(service.url) };
    }, 120_000);
    afterAll(async () => service?.stop('SIGKILL'));

    it('writes one JSON line per request with its id, method, route, status and duration, and never a secret', async () => {
      const phone = await signUpAndLogin(target);
      const { session } = await createQrSession(target);
      const desktop = await DesktopSocket.connect(service.url, { qrId: session.id, secret: session.secret });
      let desktopToken: string;
      try {
        await desktop.next('status');
        const { scanTicket } = await scan(target, phone, session.id);
        await target.http().post(`/api/qr-sessions/${session.id}/confirm`).set(phone.headers).send({ scanTicket }).expect(200);
        desktopToken = (await desktop.next('confirmed')).login!.accessToken;
        const polled = await target.http().get(`/api/qr-sessions/${session.id}`).set('X-QR-Secret', session.secret).expect(200);
        expect(polled.body.login.accessToken).toBe(desktopToken);
        // Every secret of the flow, to look for in the output.
        const secrets = [phone.password, phone.login.accessToken, session.secret, scanTicket, desktopToken];
        const created = await target
          .http()
          .post('/api/qr-sessions?image=none')
          .set('X-Request-Id', 'trace-0123456789abcdef')
          .send({ device: { id: 'desk-logs-0001', type: 'pc' } })
          .expect(201);
        expect(created.headers['x-request-id']).toBe('trace-0123456789abcdef');
        await target.http().post('/api/auth/logout').set(phone.headers).expect(204);

        // The logout's line (the last request) is written once its response has finished.
        await service.waitForStdout((stdout) => stdout.includes('"route":"/api/auth/logout"'));
        const lines = logLines(service);
        const requests = lines.filter((line) => line.msg === 'request');
        const createLine = requests.find((line) => line.reqId === 'trace-0123456789abcdef');
        expect(createLine).toEqual(
          expect.objectContaining({
            level: 'info',
            method: 'POST',
            route: '/api/qr-sessions',
            path: '/api/qr-sessions',
            status: 201,
            durationMs: expect.any(Number),
            time: expect.any(String),
            // As the API and the admin show it, not as a dual-stack socket does (::ffff:127.0.0.1).
            ip: '127.0.0.1',
          }),
        );
        // Nest's account of its start (modules, controllers, routes) is at debug: not in an operator's way at info.
        expect(lines.filter((line) => ['InstanceLoader', 'RoutesResolver', 'RouterExplorer'].includes(line.context as string))).toEqual([]);
        for (const route of ['/api/accounts', '/api/auth/login', '/api/qr-sessions/:id/scan', '/api/qr-sessions/:id/confirm', '/api/auth/logout']) {
          expect(requests.filter((line) => line.route === route)).toHaveLength(1);
        }
        // Each request line has a distinct id.
        expect(new Set(requests.map((line) => line.reqId)).size).toBe(requests.length);
        const output = service.output();
        for (const secret of secrets) expect(output).not.toContain(secret);
      } finally {
        desktop.close();
      }
    });

    it("answers X-Request-Id on every response: the caller's when well-formed, a fresh one otherwise", async () => {
      const kept = await target.http().get('/api/health/live').set('X-Request-Id', 'abc-123_DEF.456:7');
      expect(kept.headers['x-request-id']).toBe('abc-123_DEF.456:7');
      for (const bad of ['has spaces in it', 'x'.repeat(200), '<script>', '-leading-dash']) {
        const replaced = await target.http().get('/api/no-such-route').set('X-Request-Id', bad).expect(404);
        expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      }
      // Pages and errors carry one too.
      expect((await target.http().get('/')).headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect((await target.http().post('/api/auth/login').send({})).headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    });
  });

  describe('listening', () => {
    let service: ServiceProcess;
    beforeAll(async () => {
      service = await startServiceProcess({ DATABASE_URL: db.url, DATA_DIR: dataDir });
    }, 120_000);
    afterAll(async () => service?.stop('SIGKILL'));

    // Fastify alone would listen on localhost only: a container or a proxy on another host could not reach it.
    it('answers on every address of the machine, not only on loopback, and on IPv6 loopback where there is IPv6', async () => {
      const external = Object.values(networkInterfaces())
        .flat()
        .filter((entry) => entry !== undefined && !entry.internal && entry.family === 'IPv4');
      expect(external.length).toBeGreaterThan(0);
      for (const { address } of external as NetworkInterfaceInfo[]) {
        await request(`http://${address}:${service.port}`).get('/api/health/live').expect(200);
      }
      const hasIpv6Loopback = Object.values(networkInterfaces())
        .flat()
        .some((entry) => entry?.internal && entry.family === 'IPv6');
      if (hasIpv6Loopback) await request(`http://[::1]:${service.port}`).get('/api/health/live').expect(200);
    });
  });

  describe('SIGTERM', () => {
    it('drains: readiness 503 at once, a request in flight finishes, then exit 0 with no database error', async () => {
      const service = await startServiceProcess({ DATABASE_URL: db.url, DATA_DIR: dataDir, SHUTDOWN_GRACE_SECONDS: '20' });
      const slow = await startSlowRequest(service.port, '/api/auth/login', JSON.stringify({ username: 'nobody-here', password: 'wrong password' }));
      service.child.kill('SIGTERM');
      // While the request is in flight the port stays open and says it is not ready.
      const deadline = Date.now() + 10_000;
      let readiness = 0;
      while (readiness !== 503 && Date.now() < deadline) {
        readiness = await fetch(`${service.url}/api/health/ready`).then(
          (response) => response.status,
          () => 0,
        );
      }
      expect(readiness).toBe(503);
      expect((await fetch(`${service.url}/api/health/live`)).status).toBe(200);
      // The request in flight gets its real answer (the login fails: validation), closing its connection.
      const answer = await slow.finish();
      expect(answer).toMatch(/^HTTP\/1\.1 400 /);
      expect(answer).toMatch(/\r\nConnection: close\r\n/i);
      const exit: Exit = await service.exited;
      expect(exit).toEqual({ code: 0, signal: null });
      const output = service.output();
      expect(output).toContain('SIGTERM: shutting down');
      expect(output).not.toMatch(/raised an error|terminating connection|"level":"error"|"level":"fatal"/);
    }, 120_000);

    it('cuts what is still in flight when SHUTDOWN_GRACE_SECONDS runs out, and exits 0 within it', async () => {
      const service = await startServiceProcess({ DATABASE_URL: db.url, DATA_DIR: dataDir, SHUTDOWN_GRACE_SECONDS: '2' });
      // A request whose body never comes: it would hold the process forever.
      const stuck = await startSlowRequest(service.port, '/api/accounts', JSON.stringify({ username: 'stuck-user', password: 'x'.repeat(20) }));
      const signalled = Date.now();
      service.child.kill('SIGTERM');
      const exit = await service.exited;
      const took = Date.now() - signalled;
      await stuck.closed;
      expect(exit).toEqual({ code: 0, signal: null });
      expect(took).toBeLessThan(2000 + 1000);
      expect(service.output()).toContain('were cut');
    }, 120_000);
  });

  it('refuses invalid settings with one fatal JSON line on stdout that names each, and exit code 1', async () => {
    await buildApi();
    const child = spawn(process.execPath, [MAIN], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: 'abc', WORKERS: '65' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = await new Promise<Exit>((resolveExit) => child.once('exit', (code, signal) => resolveExit({ code, signal })));
    expect({ exited, stderr }).toEqual({ exited: { code: 1, signal: null }, stderr: '' });
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]) as LogLine;
    expect(line).toEqual(expect.objectContaining({ level: 'fatal', context: 'Bootstrap', msg: expect.stringMatching(/^Cannot start: /) }));
    expect(line.msg).toContain('PORT');
    expect(line.msg).toContain('WORKERS');
  });

  it('refuses a port another program holds at once, before it makes an embedded database it could not serve', async () => {
    await buildApi();
    const holder = createNetServer();
    await new Promise<void>((resolve) => holder.listen(0, resolve));
    const port = (holder.address() as AddressInfo).port;
    const dataDir = mkdtempSync(join(tmpdir(), 'qr-login-busy-port-'));
    try {
      const child = spawn(process.execPath, [MAIN], {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: String(port), DATA_DIR: dataDir },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      const exited = await new Promise<Exit>((resolveExit) => child.once('exit', (code, signal) => resolveExit({ code, signal })));
      expect(exited).toEqual({ code: 1, signal: null });
      const lines = stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as LogLine);
      expect(lines).toEqual([
        expect.objectContaining({ level: 'fatal', msg: `Cannot start: port ${port} is already in use (set PORT to another one).` }),
      ]);
      expect(readdirSync(dataDir)).toEqual([]);
    } finally {
      holder.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses to start outside its install directory, where it would serve the API and no page', async () => {
    await buildApi();
    const elsewhere = mkdtempSync(join(tmpdir(), 'qr-login-elsewhere-'));
    try {
      const child = spawn(process.execPath, [MAIN], {
        cwd: elsewhere,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', DATABASE_URL: db.url },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      const exited = await new Promise<Exit>((resolveExit) => child.once('exit', (code, signal) => resolveExit({ code, signal })));
      expect(exited).toEqual({ code: 1, signal: null });
      const fatal = stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as LogLine)
        .find((line) => line.level === 'fatal');
      expect(fatal?.msg).toBe(
        `Cannot start: run the service from its install directory (where package.json is): ${elsewhere} has no package.json, public, dist/web`,
      );
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it('stops cleanly on SIGINT during start (Ctrl-C while the embedded PostgreSQL starts), leaving no server behind', async () => {
    await buildApi();
    const startDir = mkdtempSync(join(tmpdir(), 'qr-login-ctrl-c-'));
    chmodSync(startDir, 0o755);
    try {
      const child = spawn(process.execPath, [MAIN], {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', DATA_DIR: startDir },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      const exited = new Promise<Exit>((resolveExit) => child.once('exit', (code, signal) => resolveExit({ code, signal })));
      await new Promise<void>((resolveStarting) => {
        const onData = (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes('starting the embedded PostgreSQL')) {
            child.stdout.off('data', onData);
            child.stdout.on('data', (more: Buffer) => (output += more.toString()));
            resolveStarting();
          }
        };
        child.stdout.on('data', onData);
        child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      });
      child.kill('SIGINT');
      expect(await exited).toEqual({ code: 0, signal: null });
      const lines = output.trim().split('\n');
      expect(lines.at(-1)).toContain('SIGINT during start: stopped before serving');
      expect(output).not.toMatch(/"level":"(error|fatal)"|Error|error:/);
      // Neither initdb nor postgres of that directory runs on.
      const deadline = Date.now() + 10_000;
      const running = () =>
        readdirSync('/proc')
          .filter((entry) => /^\d+$/.test(entry))
          .some((entry) => {
            try {
              return readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(startDir);
            } catch {
              return false;
            }
          });
      while (running() && Date.now() < deadline) await new Promise((resolveWait) => setTimeout(resolveWait, 50));
      expect(running()).toBe(false);
    } finally {
      rmSync(startDir, { recursive: true, force: true });
    }
  }, 120_000);
});
