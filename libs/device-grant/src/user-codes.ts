import { randomInt } from 'node:crypto';
import { sha256Hex } from '@app/common';
import { USER_CODE_ALPHABET, USER_CODE_INPUT_PATTERN } from '@app/contract';

export { USER_CODE_ALPHABET, USER_CODE_INPUT_PATTERN };

/** 8 letters of the 20 (RFC 8628 §6.1): 20^8 ≈ 2.6·10^10 codes, about 34.6 bits. */
export const USER_CODE_LENGTH = 8;

/** A fresh code, shown as `XXXX-XXXX`. `randomInt` draws each letter without modulo bias. */
export function newUserCode(): string {
  let letters = '';
  for (let i = 0; i < USER_CODE_LENGTH; i++) letters += USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)];
  return formatUserCode(letters);
}

/** The canonical form of a typed code (8 upper-case letters, no dash), or null when it cannot be a user code. */
export function normaliseUserCode(input: string): string | null {
  const trimmed = input.trim();
  if (!USER_CODE_INPUT_PATTERN.test(trimmed)) return null;
  return trimmed.replace(/[- ]/, '').toUpperCase();
}

/** `WDJBMJHT` → `WDJB-MJHT`: the form people read, and the one in `verification_uri_complete`. */
export function formatUserCode(canonical: string): string {
  return `${canonical.slice(0, 4)}-${canonical.slice(4)}`;
}

/**
 * What is stored and looked up: the SHA-256 of the canonical code. The lookup is an index probe on the hash, so its
 * time says nothing about how close a guess came to a live code's letters.
 */
export function userCodeHash(canonical: string): string {
  return sha256Hex(`user-code:${canonical}`);
}
