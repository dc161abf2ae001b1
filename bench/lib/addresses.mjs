// Many clients on one machine, each from its own source address, so that the service's per-address rate limits see
// many addresses as they would in production. On Linux the whole of 127.0.0.0/8 is local: any 127.x.y.z can be bound
// as a source address and reaches a server on 127.0.0.1 without any set-up.
import http from 'node:http';

/** The `index`-th address of block `block` (1-254): 127.block.y.z, z from 1 to 250 (never .0 or .255). */
export function loopbackAddress(block, index) {
  if (!Number.isInteger(block) || block < 1 || block > 254) throw new Error(`block ${block} is not in 1..254`);
  if (!Number.isInteger(index) || index < 0 || index >= 250 * 256) throw new Error(`index ${index} is out of range`);
  return `127.${block}.${Math.floor(index / 250)}.${(index % 250) + 1}`;
}

/**
 * A keep-alive agent that sends from `localAddress` (by default, whatever address the system picks). Its idle sockets are closed after 2 s by the client: the server
 * closes idle keep-alive connections after a timeout of its own (5 s for node:http), and a request sent on a socket the
 * server is closing at that moment fails with ECONNRESET. Closing first, on the client's side, avoids that race.
 */
export const agentFrom = (localAddress) => new http.Agent({ keepAlive: true, localAddress, timeout: 2000 });

/**
 * What the benchmark sent from each address to each rate-limit policy, checked before sending: a request that would
 * take an address past a policy's limit within any window of the policy's length throws instead. Over any such
 * sliding window, not only the server's fixed windows, so it is the stricter of the two: the check fails before the
 * server would answer 429, and says that the load was not spread over enough addresses (never that the service
 * limited a legitimate client).
 */
export class AddressBudget {
  /**
   * `policies`: name → { limit, windowSeconds }, as the service defines them (RATE_LIMIT_POLICIES). `enforce: false`
   * for a server whose rate limits are off: what was sent is still recorded (`peak`), and never refused.
   */
  constructor(policies, { enforce = true } = {}) {
    this.policies = policies;
    this.enforce = enforce;
    this.sent = new Map(); // `${policy} ${address}` → send times (ms), oldest first
    this.peak = {}; // policy → { used, limit, address }: the most any address used of a window
  }

  /** Records `count` requests of `policy` from `address`, now; throws if that would pass the policy's limit. */
  take(address, policy, count = 1) {
    const { limit, windowSeconds } = this.policies[policy] ?? {};
    if (limit === undefined) throw new Error(`no rate-limit policy named ${policy}`);
    const key = `${policy} ${address}`;
    const now = Date.now();
    const times = (this.sent.get(key) ?? []).filter((time) => time > now - windowSeconds * 1000);
    const used = times.length + count;
    if (used > limit && this.enforce) {
      throw new Error(
        `${address} would send ${used} ${policy} requests within ${windowSeconds} s (limit ${limit}): ` +
          'the load is not spread over enough addresses (raise BENCH_DESIGN_RATE or BENCH_PAIRS)',
      );
    }
    for (let i = 0; i < count; i++) times.push(now);
    this.sent.set(key, times);
    if (used > (this.peak[policy]?.used ?? 0)) this.peak[policy] = { used, limit, windowSeconds, address };
  }
}
