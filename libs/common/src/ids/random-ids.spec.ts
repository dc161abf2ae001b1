import { newPublicId, newSecret, PUBLIC_ID_PATTERN, SECRET_PATTERN, secretMatchesHash, sha256Hex } from './random-ids';

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

  it('matches a secret against its SHA-256 and nothing else', () => {
    const secret = newSecret();
    const hash = sha256Hex(secret);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(secretMatchesHash(secret, hash)).toBe(true);
    expect(secretMatchesHash(newSecret(), hash)).toBe(false);
    expect(secretMatchesHash(secret, 'short')).toBe(false);
  });
});
