import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RATE_LIMIT_POLICIES, type RateLimitPolicy } from '@app/rate-limits';
import { ROOT } from './support/service-process';

const WINDOWS: Record<string, number> = { 'a minute': 60, 'in 5 minutes': 300, 'an hour': 3600 };

/** "30 a minute" → { limit: 30, windowSeconds: 60 }; "–" → undefined. */
function parseLimit(cell: string): { limit: number; windowSeconds: number } | undefined {
  if (cell === '–') return undefined;
  const match = /^(\d+) (.+)$/.exec(cell);
  const windowSeconds = match ? WINDOWS[match[2]] : undefined;
  if (!match || windowSeconds === undefined) throw new Error(`cannot read the limit "${cell}"`);
  return { limit: Number(match[1]), windowSeconds };
}

/**
 * The limits operators read in docs/security.md are the ones the service applies: a limit changed in the code, or in
 * the docs alone, fails here.
 */
describe('the rate limits documented in docs/security.md', () => {
  it('are every policy of the code, with its numbers', () => {
    const text = readFileSync(join(ROOT, 'docs/security.md'), 'utf8');
    const section = text.slice(text.indexOf('## Rate limits'), text.indexOf('\n## ', text.indexOf('## Rate limits') + 1));
    const documented: Record<string, RateLimitPolicy> = {};
    for (const [, name, perAddress, perAccount] of section.matchAll(/^\| `(\w+)` \| [^|]+ \| ([^|]+) \| ([^|]+) \|$/gm)) {
      const address = parseLimit(perAddress.trim())!;
      const account = parseLimit(perAccount.trim());
      if (account && account.windowSeconds !== address.windowSeconds) throw new Error(`${name}: one window for both limits`);
      documented[name] = { ...address, ...(account ? { perAccount: { limit: account.limit } } : {}) };
    }
    expect(documented).toEqual(RATE_LIMIT_POLICIES);
  });
});
