import { isIP } from 'node:net';

/**
 * The key under which per-address limits count a client. An IPv4 address is one key; an IPv6 address counts by its
 * /64, because a single subscriber usually holds a whole /64 and could otherwise give each request a fresh address
 * (endless budgets). Anything that is not an address counts as one "unknown" key.
 */
export function addressKey(ip: string | null | undefined): string {
  if (!ip) return 'unknown';
  const plain = ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
  const version = isIP(plain);
  if (version === 4) return plain;
  if (version !== 6) return 'unknown';
  return `${expandIpv6(plain).slice(0, 4).join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address, without leading zeros (`2001:db8::1` → 2001,db8,0,0,0,0,0,1). */
function expandIpv6(ip: string): string[] {
  const address = ip.split('%')[0].toLowerCase();
  const [head, tail] = address.includes('::') ? address.split('::') : [address, undefined];
  const groups = (part: string | undefined) => (part ? part.split(':') : []);
  let left = groups(head);
  let right = groups(tail);
  // An embedded IPv4 tail (::ffff:1.2.3.4, 64:ff9b::1.2.3.4) is two groups.
  const convert = (list: string[]) => {
    const last = list.at(-1);
    if (last && last.includes('.')) {
      const [a, b, c, d] = last.split('.').map(Number);
      return [...list.slice(0, -1), ((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
    }
    return list;
  };
  if (tail === undefined) left = convert(left);
  else right = convert(right);
  const missing = 8 - left.length - right.length;
  const all = [...left, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...right];
  return all.map((group) => Number.parseInt(group || '0', 16).toString(16));
}
