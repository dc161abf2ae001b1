import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '@app/database';
import { requireBinary } from './binaries';

const DEPLOY = resolve(process.cwd(), 'deploy');

export interface AccessLogLine {
  request: string;
  status: number;
  requestId: string;
  /** `127.0.0.1:<port>` of the process that answered (several, comma-separated, when nginx tried more than one). */
  upstream: string;
}

/**
 * nginx running deploy/nginx.conf, unprivileged, in a directory of its own: the same file docker-compose.yml mounts.
 * Only what differs per deployment is filled in: the listen address (a free loopback port) and the upstream list
 * (deploy/qr-login-upstreams.conf with compose's `apiN:3000` replaced by the test's processes).
 */
export class TestNginx {
  private output = '';

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    private readonly dir: string,
  ) {
    child.stderr!.on('data', (chunk) => (this.output += chunk));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Writes the configuration and starts nginx; resolves once it answers. `port` may be chosen in advance. */
  static async start(upstreamPorts: number[], port?: number): Promise<TestNginx> {
    const binary = requireBinary('nginx', 'nginx-light');
    const listen = port ?? (await freePort());
    const dir = mkdtempSync(join(tmpdir(), 'qr-login-nginx-'));
    // nginx's workers run as "nobody" when the tests run as root: they must reach the temporary directories.
    chmodSync(dir, 0o755);
    writeFileSync(
      join(dir, 'nginx.conf'),
      substituteOnce(readFileSync(join(DEPLOY, 'nginx.conf'), 'utf8'), /listen 8080;/, `listen 127.0.0.1:${listen};`),
    );
    let upstreams = readFileSync(join(DEPLOY, 'qr-login-upstreams.conf'), 'utf8');
    const listed = upstreams.match(/server api\d+:3000/g) ?? [];
    if (listed.length !== upstreamPorts.length) {
      throw new Error(`deploy/qr-login-upstreams.conf lists ${listed.length} processes, the test runs ${upstreamPorts.length}`);
    }
    upstreamPorts.forEach((upstreamPort, i) => (upstreams = upstreams.replace(`server api${i + 1}:3000`, `server 127.0.0.1:${upstreamPort}`)));
    writeFileSync(join(dir, 'qr-login-upstreams.conf'), upstreams);
    // nginx opens /dev/stdout for its access log, which fails on the socket a 'pipe' stdio would be: a file instead.
    const stdout = openSync(join(dir, 'stdout.log'), 'a');
    const child = spawn(binary, ['-e', 'stderr', '-c', join(dir, 'nginx.conf'), '-p', `${dir}/`], { stdio: ['ignore', stdout, 'pipe'] });
    closeSync(stdout);
    const nginx = new TestNginx(child, listen, dir);
    const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`nginx exited with ${code}:\n${nginx.output}`))));
    const deadline = Date.now() + 20_000;
    for (;;) {
      const answered = await Promise.race([
        fetch(`${nginx.url}/api/health/live`).then(
          () => true,
          () => false,
        ),
        exited,
      ]);
      if (answered) return nginx;
      if (Date.now() > deadline) throw new Error(`nginx did not answer:\n${nginx.output}`);
      await new Promise((resolveWait) => setTimeout(resolveWait, 100));
    }
  }

  /** The access log so far (nginx writes a line when a request ends; a WebSocket's when it closes). */
  accessLog(): AccessLogLine[] {
    const lines: AccessLogLine[] = [];
    for (const line of readFileSync(join(this.dir, 'stdout.log'), 'utf8').split('\n')) {
      const match = /"([^"]*)" (\d{3}) \d+ request_id=(\S*) upstream=(\S*)/.exec(line);
      if (match) lines.push({ request: match[1], status: Number(match[2]), requestId: match[3], upstream: match[4] });
    }
    return lines;
  }

  /** Waits for the access-log line of the request sent with this X-Request-Id. */
  async logOf(requestId: string, timeoutMs = 5000): Promise<AccessLogLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = this.accessLog().find((entry) => entry.requestId === requestId);
      if (line) return line;
      if (Date.now() > deadline) throw new Error(`no access-log line for ${requestId}:\n${this.output.slice(-2000)}`);
      await new Promise((resolveWait) => setTimeout(resolveWait, 20));
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      await new Promise<void>((resolveExit) => {
        this.child.once('exit', () => resolveExit());
        this.child.kill('SIGTERM');
      });
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Replaces the one occurrence of `pattern`; a config that no longer has it fails the test instead of running unchanged. */
function substituteOnce(text: string, pattern: RegExp, replacement: string): string {
  const found = text.match(new RegExp(pattern.source, 'g')) ?? [];
  if (found.length !== 1) throw new Error(`deploy/nginx.conf must contain ${pattern} exactly once (found ${found.length})`);
  return text.replace(pattern, replacement);
}
