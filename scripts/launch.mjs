// `npm start` and `npm run mobile`: build only when a source changed since the last build, then run the program as a
// child that gets every signal this process gets (npm passes SIGTERM/SIGINT to its script; a shell between them
// would not), and exit as it exits. Messages of the launcher itself go to stderr: stdout is the program's.
//
//   node scripts/launch.mjs api                 the service (dist/apps/api/src/main.js)
//   node scripts/launch.mjs mobile-cli -- ...   the mobile command line, with its arguments
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** What each program is built from, how, and what it runs. */
export const TARGETS = {
  api: {
    inputs: [
      'apps/api',
      'apps/web',
      'libs',
      'public',
      'scripts/build-web.mjs',
      'tsconfig.json',
      'tsconfig.build.json',
      'nest-cli.json',
      'package-lock.json',
    ],
    outputs: ['dist/apps/api/src/main.js', 'dist/web'],
    build: [
      [process.execPath, ['node_modules/@nestjs/cli/bin/nest.js', 'build', 'api']],
      [process.execPath, ['scripts/build-web.mjs']],
    ],
    main: 'dist/apps/api/src/main.js',
  },
  'mobile-cli': {
    inputs: ['apps/mobile-cli', 'libs/sdk', 'libs/contract', 'tsconfig.json', 'tsconfig.build.json', 'nest-cli.json', 'package-lock.json'],
    outputs: ['dist/apps/mobile-cli/src/main.js'],
    build: [[process.execPath, ['node_modules/@nestjs/cli/bin/nest.js', 'build', 'mobile-cli']]],
    main: 'dist/apps/mobile-cli/src/main.js',
  },
};

function newestMtime(path) {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry.startsWith('.')) continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

export function stampOf(name, base = root) {
  return join(base, 'dist', `.built-${name}`);
}

/** Why `name` must be built before it runs, or null when its last build is newer than every input. */
export function staleReason(name, base = root) {
  const target = TARGETS[name];
  const missing = target.outputs.find((output) => !existsSync(join(base, output)));
  if (missing) return `${missing} is missing`;
  const stamp = statSync(stampOf(name, base), { throwIfNoEntry: false });
  if (!stamp) return 'no record of a previous build';
  const changed = target.inputs.find((input) => newestMtime(join(base, input)) > stamp.mtimeMs);
  return changed ? `${changed} changed since the last build` : null;
}

/** The child running now (a build step, then the program): every signal this process gets is passed to it. */
let current;
let signalled;
function forwardSignals() {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      signalled ??= signal;
      if (current && current.exitCode === null && current.signalCode === null) current.kill(signal);
    });
  }
}

function runChild(command, args, stdio) {
  return new Promise((resolveRun) => {
    current = spawn(command, args, { cwd: root, stdio });
    current.on('error', (error) => {
      console.error(`[launch] could not run ${args[0]}: ${error.message}`);
      resolveRun({ code: 1, signal: null });
    });
    current.on('exit', (code, signal) => resolveRun({ code, signal }));
  });
}

/** Ends this process as the child ended: the same code, or the same signal, so that whoever waits sees the truth. */
function exitLike({ code, signal }) {
  if (signal) {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  }
  process.exit(code ?? 1);
}

async function build(name) {
  const started = Date.now();
  for (const [command, args] of TARGETS[name].build) {
    const result = await runChild(command, args, ['ignore', 2, 2]);
    if (signalled) exitLike({ code: 1, signal: null });
    if (result.code !== 0) {
      console.error(`[launch] building ${name} failed (${args.join(' ')})`);
      exitLike(result);
    }
  }
  mkdirSync(join(root, 'dist'), { recursive: true });
  writeFileSync(stampOf(name), `${new Date(started).toISOString()}\n`);
  // Dated to the build's start: a source saved while it ran makes the next start build again.
  utimesSync(stampOf(name), started / 1000, started / 1000);
}

async function launch(name, args) {
  const reason = staleReason(name);
  if (reason) {
    console.error(`[launch] building ${name}: ${reason}`);
    await build(name);
  }
  if (signalled) process.exit(0);
  exitLike(await runChild(process.execPath, [join(root, TARGETS[name].main), ...args], 'inherit'));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [name, ...rest] = process.argv.slice(2);
  if (!(name in TARGETS)) {
    console.error(`usage: node scripts/launch.mjs <${Object.keys(TARGETS).join('|')}> [-- arguments]`);
    process.exit(2);
  }
  forwardSignals();
  void launch(name, rest[0] === '--' ? rest.slice(1) : rest);
}
