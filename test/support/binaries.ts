import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * The path of a system binary a test needs (redis-server, nginx), looked up on PATH and in /usr/sbin. A missing one
 * fails the test with a message that says how to get it: these tests never skip silently.
 */
export function requireBinary(name: string, debianPackage: string): string {
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/usr/local/sbin'])) {
    if (dir && existsSync(`${dir}/${name}`)) return `${dir}/${name}`;
  }
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(`${name} is not installed: run "apt-get install -y ${debianPackage}" (.ci/run does it when it is missing)`);
  }
}
