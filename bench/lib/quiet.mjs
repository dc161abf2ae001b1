// The server has no "I am idle" signal, and sleeping a fixed time is either too short on a loaded machine or wasted
// on a fast one: wait instead until its process stops using CPU.
import { cpuMs } from './cpu.mjs';

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
