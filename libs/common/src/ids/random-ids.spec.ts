import { hashesEqual, newPublicId, newSecret, PUBLIC_ID_PATTERN, SECRET_PATTERN, secretMatchesHash, sha256Hex } from './random-ids';

describe('random ids and secrets', () => {
  it('makes ids of 128 bits and secrets of 256 bits, url-safe', () => {
    const id = newPublicId();
    const secret = newSecret();
    expect(id).toMatch(PUBLIC_ID_PATTERN);
    expect(Buffer.from(id, 'base64url')).toHaveLength(16);
    expect(secret).toMatch(SECRET_PATTERN);
    expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
    expect(new Set(Array.from({ length: 1000 }, newPublicId)).size).toBe(1000);
  });

  it('never hands out the same random bytes twice, across the pages it draws', () => {
    // 3000 ids and secrets draw 72 000 bytes, more than seventeen pages. Bytes handed out twice (a slice that overlaps
    // an earlier one by 8 bytes or more) would show as a repeated 8-byte window, which chance makes once in 10^9 runs.
    const windows = new Set<string>();
    for (let index = 0; index < 3000; index++) {
      const bytes = Buffer.from(index % 2 ? newSecret() : newPublicId(), 'base64url');
      expect(bytes).toHaveLength(index % 2 ? 32 : 16);
      for (let start = 0; start + 8 <= bytes.length; start++) {
        const window = bytes.subarray(start, start + 8).toString('hex');
        expect(windows.has(window)).toBe(false);
        windows.add(window);
      }
    }
  });

  it('matches a secret against its SHA-256 and nothing else', () => {
    const secret = newSecret();
    const hash = sha256Hex(secret);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(secretMatchesHash(secret, hash)).toBe(true);
    expect(secretMatchesHash(newSecret(), hash)).toBe(false);
    expect(secretMatchesHash(secret, 'short')).toBe(false);
    expect(hashesEqual(sha256Hex('a'), sha256Hex('a'))).toBe(true);
    expect(hashesEqual(sha256Hex('a'), sha256Hex('b'))).toBe(false);
    expect(hashesEqual('00', '0000')).toBe(false);
  });
});
