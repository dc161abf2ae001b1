// What every benchmark script does before measuring: where the project and the results are, its settings from the
// environment, and a fresh build (each measures the built service, as users run it).
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from './server.mjs';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const RESULTS = join(ROOT, 'bench', 'results');

/** A module of the build (`dist/...`), for what a benchmark reads from the service itself (its policies, say). */
export const requireBuilt = (path) => createRequire(import.meta.url)(join(ROOT, path));

/** An integer setting from the environment, at least `min`; anything else ends the run before it starts. */
export function positiveInt(name, fallback, min = 1) {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer of at least ${min}`);
  return value;
}

/** Builds the service and makes room for the results; answers when the run started and its file-name stamp. */
export function startRun(log) {
  const startedAt = new Date();
  mkdirSync(RESULTS, { recursive: true });
  log('building (npm run build)');
  build(ROOT);
  return { startedAt, stamp: startedAt.toISOString().replace(/[:.]/g, '-') };
}

/** The commit measured (read-only git; "dirty" when the work tree has changes). */
export function revision() {
  const git = (...args) => spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' }).stdout?.trim();
  return { commit: git('rev-parse', 'HEAD') || null, dirty: Boolean(git('status', '--porcelain')) };
}
