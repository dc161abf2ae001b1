import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { HashingSlots } from './hashing-slots';

/**
 * Slow, salted password hashes with node's scrypt. The parameters are stored with each hash
 * (`scrypt$N$r$p$salt$hash`), so they can be raised later without invalidating existing passwords.
 */
const PARAMS = { N: 16384, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;
const SALT_BYTES = 16;

/**
 * Two hashes at a time on libuv's four threads, leaving the others to the database driver (SCRAM) and DNS; 32 more may
 * wait (about half a second of work); a failed-login flood past that is answered 429 at once (issue 8 item 5).
 */
export const HASHING_SLOTS = new HashingSlots(2, 32);

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return HASHING_SLOTS.run(
    () =>
      new Promise<Buffer>((resolve, reject) =>
        scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, { ...options, maxmem: 64 * 1024 * 1024 }, (error, key) =>
          error ? reject(error) : resolve(key),
        ),
      ),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, PARAMS);
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64'), key.toString('base64')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const key = await derive(password, Buffer.from(salt, 'base64'), { N: Number(n), r: Number(r), p: Number(p) });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/**
 * A hash of a password nobody knows: verifying against it when the username does not exist makes a failed sign-in
 * take as long whether or not the account exists.
 */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  // A refused attempt (all hashing slots busy) must not leave a failed promise behind for good.
  decoy ??= hashPassword(randomBytes(16).toString('hex')).catch((error: unknown) => {
    decoy = undefined;
    throw error;
  });
  return decoy;
}
