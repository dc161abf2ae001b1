import { createHash, randomFillSync, timingSafeEqual } from 'node:crypto';

/**
 * Random bytes are drawn from the system's generator a page at a time and each byte is handed out once, as Node does
 * for `randomUUID`: a call to the generator costs about 6 µs whatever its size, and a sign-in needs three ids.
 */
const RANDOM_PAGE_BYTES = 4096;
let randomPage = Buffer.alloc(0);
let randomOffset = 0;

/**
 * `size` fresh random bytes (at most a page) as url-safe base64. The bytes are zeroed in the page once encoded, so
 * that a secret handed out does not stay in memory beside those still to come.
 */
function randomText(size: number): string {
  if (randomOffset + size > randomPage.length) {
    randomPage = randomFillSync(Buffer.allocUnsafe(RANDOM_PAGE_BYTES));
    randomOffset = 0;
  }
  const bytes = randomPage.subarray(randomOffset, randomOffset + size);
  randomOffset += size;
  const text = bytes.toString('base64url');
  bytes.fill(0);
  return text;
}

/** An opaque public id with 128 bits of randomness (22 url-safe characters). */
export function newPublicId(): string {
  return randomText(16);
}

/** A secret with 256 bits of randomness (43 url-safe characters): shown once, stored only as its SHA-256. */
export function newSecret(): string {
  return randomText(32);
}

export const PUBLIC_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;
export const SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** SHA-256 as 64 hex characters: enough for secrets that already carry 256 bits of randomness. */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** Compares a presented secret with a stored hash in constant time. */
export function secretMatchesHash(secret: string, hashHex: string): boolean {
  return hashesEqual(sha256Hex(secret), hashHex);
}

/** Compares two hex hashes in constant time (false when their lengths differ). */
export function hashesEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}
