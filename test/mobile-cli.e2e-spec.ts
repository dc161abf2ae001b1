import { execFile, spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { DEVICE_ID_PATTERN } from '@app/contract';
import { QrDesktopClient, type QrWatch } from '@app/sdk';
import { WatchRecorder } from '../libs/sdk/src/testing/watch-recorder';
import { authorizeDevice, pollToken } from './support/device-grant';
import { uniqueName } from './support/factories';
import { startTestApp, type TestApp } from './support/test-app';

const ROOT = process.cwd();
const CLI = resolve(ROOT, 'dist/apps/mobile-cli/src/main.js');
const PASSWORD = 'correct horse battery';

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The mobile command line as a user runs it: a child process, built the way `npm run mobile` builds it. */
describe('mobile command-line client, end to end', () => {
  let app: TestApp;
  let workDir: string;
  const watches: QrWatch[] = [];

  beforeAll(async () => {
    // The same build as `npm run mobile` (incremental: quick when nothing changed).
    await promisify(execFile)(process.execPath, [resolve(ROOT, 'node_modules/@nestjs/cli/bin/nest.js'), 'build', 'mobile-cli'], { cwd: ROOT });
    app = await startTestApp();
    workDir = mkdtempSync(join(tmpdir(), 'qr-mobile-cli-'));
  }, 120_000);
  afterEach(() => watches.splice(0).forEach((watch) => watch.stop()));
  afterAll(async () => {
    await app?.close();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  function cli(statePath: string, args: string[], options: { stdin?: string; env?: Record<string, string> } = {}): Promise<CliRun> {
    return new Promise((resolveRun, reject) => {
      const child = spawn(process.execPath, [CLI, ...args], {
        cwd: workDir,
        env: { ...process.env, QR_SERVER_URL: app.url, QR_MOBILE_STATE: statePath, ...options.env },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk) => (stdout += String(chunk)));
      child.stderr.on('data', (chunk) => (stderr += String(chunk)));
      child.on('error', reject);
      child.on('close', (code) => resolveRun({ code, stdout, stderr }));
      child.stdin.end(options.stdin ?? '');
    });
  }

  function readState(statePath: string) {
    return JSON.parse(readFileSync(statePath, 'utf8')) as {
      server: string;
      device: { id: string; type: string; name: string };
      login?: { accessToken: string; username: string };
      pendingScans: Record<string, { scanTicket: string; ticketExpiresAt: string }>;
      lastScannedId?: string;
    };
  }

  async function account(displayName: string): Promise<string> {
    const username = uniqueName('cli');
    await app.http().post('/api/accounts').send({ username, password: PASSWORD, displayName }).expect(201);
    return username;
  }

  function desktop() {
    return new QrDesktopClient({ baseUrl: app.url, headers: { 'User-Agent': 'OfficeBrowser/2.0' } });
  }

  it('types the user code of a CLI (OAuth device grant) and confirms; a scanned sign-in link works the same', async () => {
    const state = join(workDir, 'phone-code.json');
    const username = await account('Dana');
    expect((await cli(state, ['login', username, PASSWORD])).code).toBe(0);
    const authorize = () => authorizeDevice(app, { client_id: 'backup-tool', device_name: 'NAS' }, 'BackupTool/1.2');

    const typed = await authorize();
    const code = await cli(state, ['code', typed.user_code.toLowerCase()]);
    expect(code).toMatchObject({ code: 0, stderr: '' });
    expect(code.stdout).toContain(`Sign-in request for QR session ${typed.qr_session_id}`);
    expect(code.stdout).toMatch(/device: +pc "NAS"/);
    expect(code.stdout).toMatch(/client id: +backup-tool/);
    expect(code.stdout).toContain(`code:        ${typed.user_code} (the device must show the same code)`);
    expect(code.stdout).toMatch(/user agent: +BackupTool\/1\.2/);
    expect((await cli(state, ['confirm'])).code).toBe(0);
    const token = await pollToken(app, typed.device_code, 'backup-tool').expect(200);
    await app
      .http()
      .get('/api/me')
      .set({ Authorization: `Bearer ${token.body.access_token}`, 'X-Device-Id': token.body.device_id })
      .expect(200);

    const scanned = await authorize();
    const scan = await cli(state, ['scan', scanned.verification_uri_complete]);
    expect(scan).toMatchObject({ code: 0, stderr: '' });
    expect(scan.stdout).toContain(`Sign-in request for QR session ${scanned.qr_session_id}`);
    // A link carries its code: the user still compares it with the device's screen.
    expect(scan.stdout).toContain(`code:        ${scanned.user_code} (the device must show the same code)`);
    expect((await cli(state, ['reject'])).code).toBe(0);
    expect((await pollToken(app, scanned.device_code, 'backup-tool')).body.error).toBe('access_denied');

    const unknown = await cli(state, ['code', 'BBBB-BBBB']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^error: qr_not_found: /);
  });

  it('logs in, scans a QR (showing who asks) and confirms: the desktop receives a token that works', async () => {
    const state = join(workDir, 'phone-1.json');
    const username = await account('Carol');

    const login = await cli(state, ['login', username, PASSWORD, '--device-name', 'Carol phone', '--device-type', 'ios']);
    expect(login).toMatchObject({ code: 0, stderr: '' });
    expect(login.stdout).toContain(`as Carol (${username})`);
    expect(statSync(state).mode & 0o777).toBe(0o600);
    const afterLogin = readState(state);
    expect(afterLogin.device).toMatchObject({ type: 'ios', name: 'Carol phone' });
    expect(afterLogin.device.id).toMatch(DEVICE_ID_PATTERN);
    expect(afterLogin.server).toBe(app.url);

    const desktopId = uniqueName('desk');
    const client = desktop();
    const session = await client.createSession({ id: desktopId, type: 'pc', name: 'Office PC' }, { image: 'none' });
    const recorder = new WatchRecorder();
    const watch = client.watch(session, { ...recorder.callbacks, transport: 'websocket' });
    watches.push(watch);
    await recorder.until(1);

    const scan = await cli(state, ['scan', session.qrContent]);
    expect(scan).toMatchObject({ code: 0, stderr: '' });
    expect(scan.stdout).toContain(`Sign-in request for QR session ${session.id}`);
    expect(scan.stdout).toMatch(/device: +pc "Office PC"/);
    expect(scan.stdout).toMatch(/IP address: +127\.0\.0\.1/);
    expect(scan.stdout).toMatch(/user agent: +OfficeBrowser\/2\.0/);
    expect(scan.stdout).toMatch(/requested: +(just now|\d+ s ago)/);
    expect(readState(state)).toMatchObject({ lastScannedId: session.id, pendingScans: { [session.id]: { scanTicket: expect.any(String) } } });
    expect((await recorder.until(2))[1]).toMatchObject({ type: 'scanned', snapshot: { scannedBy: { displayName: 'Carol' } } });

    const confirm = await cli(state, ['confirm']);
    expect(confirm).toMatchObject({ code: 0, stderr: '' });
    expect(confirm.stdout).toContain(`Confirmed: the device of session ${session.id} is signed in.`);
    const outcome = await watch.done;
    if (outcome.reason !== 'completed') throw new Error(`the watch ended with ${JSON.stringify(outcome)}`);
    expect(outcome.snapshot.status).toBe('confirmed');
    const token = outcome.snapshot.login!.accessToken;
    const me = await app
      .http()
      .get('/api/me')
      .set({ Authorization: `Bearer ${token}`, 'X-Device-Id': desktopId })
      .expect(200);
    expect(me.body).toEqual({
      account: { id: expect.any(String), username, displayName: 'Carol' },
      device: { id: desktopId, type: 'pc', name: 'Office PC' },
    });
    expect(readState(state).pendingScans).toEqual({});

    const devices = await cli(state, ['devices']);
    expect(devices.code).toBe(0);
    expect(devices.stdout).toMatch(new RegExp(`^\\* ios +${afterLogin.device.id} +"Carol phone"`, 'm'));
    expect(devices.stdout).toMatch(new RegExp(`^  pc +${desktopId} +"Office PC"`, 'm'));

    // The same install keeps its device id; the password may come from stdin.
    const again = await cli(state, ['login', username], { stdin: `${PASSWORD}\n` });
    expect(again.code).toBe(0);
    expect(readState(state).device.id).toBe(afterLogin.device.id);

    const phoneToken = readState(state).login!.accessToken;
    const logout = await cli(state, ['logout']);
    expect(logout).toMatchObject({ code: 0, stderr: '' });
    expect(readState(state).login).toBeUndefined();
    expect(readState(state).device.id).toBe(afterLogin.device.id);
    const revoked = await app
      .http()
      .get('/api/me')
      .set({ Authorization: `Bearer ${phoneToken}`, 'X-Device-Id': afterLogin.device.id })
      .expect(401);
    expect(revoked.body.code).toBe('token_revoked');
    const signedOut = await cli(state, ['devices']);
    expect(signedOut.code).toBe(1);
    expect(signedOut.stderr).toContain('error: not_signed_in');
  });

  it('exits non-zero and prints the code for a forged ticket, a used ticket, and nothing to confirm', async () => {
    const state = join(workDir, 'phone-2.json');
    const username = await account('Dave');
    expect((await cli(state, ['login', username, PASSWORD])).code).toBe(0);
    expect(readState(state).device.type).toBe('android');
    const session = await desktop().createSession({ id: uniqueName('desk'), type: 'web' }, { image: 'none' });
    expect((await cli(state, ['scan', session.id])).code).toBe(0);

    const forged = readState(state);
    forged.pendingScans[session.id].scanTicket = 'x'.repeat(43);
    writeFileSync(state, JSON.stringify(forged));
    const refused = await cli(state, ['confirm', session.id]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error: scan_ticket_invalid: /);
    expect(refused.stdout).toBe('');
    // A refused ticket is dropped: confirming again needs a new scan.
    const nothing = await cli(state, ['confirm']);
    expect(nothing.code).toBe(1);
    expect(nothing.stderr).toContain('error: no_pending_scan');

    // Scanning again from the same phone gives a fresh ticket; it signs the desktop in once, and only once.
    expect((await cli(state, ['scan', session.qrContent])).code).toBe(0);
    const withTicket = join(workDir, 'phone-2.copy.json');
    copyFileSync(state, withTicket);
    expect((await cli(state, ['confirm'])).code).toBe(0);
    const reused = await cli(withTicket, ['reject']);
    expect(reused.code).toBe(1);
    expect(reused.stderr).toMatch(/^error: qr_already_completed: /);
  });

  it('never sends the saved token to another service than the one that issued it (server_mismatch)', async () => {
    const state = join(workDir, 'phone-4.json');
    const username = await account('Frank');
    expect((await cli(state, ['login', username, PASSWORD])).code).toBe(0);
    const token = readState(state).login!.accessToken;
    const session = await desktop().createSession({ id: uniqueName('desk'), type: 'web' }, { image: 'none' });

    // A service that records what it receives, as a phisher's would.
    const received: string[] = [];
    const other = createServer((request, response) => {
      received.push(`${request.method} ${request.url} ${request.headers.authorization ?? ''}`);
      response.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
    });
    await new Promise<void>((listening) => other.listen(0, '127.0.0.1', listening));
    const otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
    try {
      for (const run of [
        () => cli(state, ['scan', session.id, '--server', otherUrl]),
        () => cli(state, ['devices'], { env: { QR_SERVER_URL: otherUrl } }),
        () => cli(state, ['confirm', session.id, '--server', otherUrl]),
        () => cli(state, ['logout'], { env: { QR_SERVER_URL: otherUrl } }),
      ]) {
        const refused = await run();
        expect(refused.code).toBe(1);
        expect(refused.stderr).toMatch(new RegExp(`^error: server_mismatch: the saved sign-in belongs to ${app.url}, not ${otherUrl}`));
        expect(refused.stdout).toBe('');
      }
      expect(received).toEqual([]);
      expect(readState(state).login?.accessToken).toBe(token);

      // The same service spelled with a trailing slash is the same service.
      expect((await cli(state, ['devices', '--server', `${app.url}/`])).code).toBe(0);
      // A state that does not say which service issued its token sends it nowhere.
      const { server: _, ...withoutServer } = readState(state);
      writeFileSync(state, JSON.stringify(withoutServer));
      const unknown = await cli(state, ['devices']);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toMatch(/^error: server_mismatch: /);
      // Signing in again there is the way out.
      expect((await cli(state, ['login', username, PASSWORD])).code).toBe(0);
      expect((await cli(state, ['devices'])).code).toBe(0);
    } finally {
      await new Promise((closed) => other.close(closed));
    }
  });

  it('prints the code of other refusals and of usage errors', async () => {
    const state = join(workDir, 'phone-3.json');
    const badLogin = await cli(state, ['login', 'nobody-at-all', 'wrong password']);
    expect(badLogin.code).toBe(1);
    expect(badLogin.stderr).toContain('error: invalid_credentials');

    const username = await account('Erin');
    expect((await cli(state, ['login', username, PASSWORD])).code).toBe(0);
    const unknown = await cli(state, ['scan', 'AAAAAAAAAAAAAAAAAAAAAA']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('error: qr_not_found');

    // No answer at all: a login to a service that is not there.
    const offline = await cli(state, ['login', username, PASSWORD, '--server', 'http://127.0.0.1:1']);
    expect(offline.code).toBe(1);
    expect(offline.stderr).toContain('error: network_error');
    expect(offline.stderr).toContain('Is the service running at that address? Name another one with --server <url> or QR_SERVER_URL.');

    const usage = await cli(state, ['frobnicate']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('error: usage: unknown command "frobnicate"');
    expect((await cli(state, ['login', username, PASSWORD, '--device-type', 'pc'])).code).toBe(2);
  });

  it('stops quietly when what reads its output stops first (`| head -1`)', async () => {
    const child = spawn(process.execPath, [CLI, 'help'], { cwd: workDir });
    // The reading end is gone before the client writes a byte: its every write fails with EPIPE.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += String(chunk)));
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  });
});
