// The server has no "I am idle" signal, and sleeping a fixed time is either too short on a loaded machine or wasted
// on a fast one: wait instead until its process stops using CPU.
import { readFileSync } from 'node:fs';

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ, 100 on every Linux this runs on

/** CPU time (user and system) `pid` has used so far, in ms; null once it has exited. */
export function cpuMs(pid) {
  try {
    // Fields after the command name, which may itself hold spaces and parentheses: utime and stime are 14 and 15.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** Resolves once `pid` used under 5 % of a core for `windowMs`, or after `timeoutMs` whichever comes first. */
export async function waitForQuiet(pid, { windowMs = 300, timeoutMs = 10_000 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let previous = cpuMs(pid);
  if (previous === null) return false;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    const current = cpuMs(pid);
    if (current === null) return false;
    if (current - previous < windowMs * 0.05) return true;
    previous = current;
  }
  return false;
}
