// CPU time used by processes, read from /proc (Linux only: null elsewhere). The CPU a run took per sign-in moves much
// less than its rate on a shared machine.
import { readdirSync, readFileSync } from 'node:fs';
import { embeddedPostgres } from './server.mjs';

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ, 100 on every Linux this runs on
const ms = (ticks) => (ticks * 1000) / CLOCK_TICKS_PER_SECOND;

/** A process's parent and CPU times in ms (its own, and that of its children that exited); null once it has exited. */
function processStat(pid) {
  try {
    // Fields after the command name, which may itself hold spaces and parentheses: ppid is 4, utime..cstime 14..17.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    const [utime, stime, cutime, cstime] = fields.slice(11, 15).map(Number);
    return { ppid: Number(fields[1]), ownMs: ms(utime + stime), exitedChildrenMs: ms(cutime + cstime) };
  } catch {
    return null;
  }
}

/** CPU time (user and system) `pid` has used so far, in ms; null once it has exited. */
export const cpuMs = (pid) => processStat(pid)?.ownMs ?? null;

/**
 * CPU time (ms) used so far by the embedded PostgreSQL of a server: the postmaster, every process it started (the
 * server's connections, the background workers) and those of them that already exited (the postmaster's cutime).
 */
export function postgresCpuMs(dataDir) {
  const postmaster = embeddedPostgres(dataDir)?.pid;
  const own = postmaster && processStat(postmaster);
  if (!own) return null;
  let total = own.ownMs + own.exitedChildrenMs;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = processStat(entry);
    if (stat?.ppid === postmaster) total += stat.ownMs;
  }
  return total;
}
