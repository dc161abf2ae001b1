import type { ScanResult } from './qr-sessions';

/**
 * The device grant's side of the contract (§8) that clients share: the user code a CLI or TV shows, and what the
 * phone's `POST /api/qr-sessions/scan-code` answers.
 */

/** The letters of a user code: consonants only (no words, no 0/O or 1/I). 8 of them: about 34.6 bits. */
export const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';

/** What a person may type: the 8 letters in either case, with or without the dash (or a space) in the middle. */
export const USER_CODE_INPUT_PATTERN = /^[BCDFGHJKLMNPQRSTVWXZ]{4}[- ]?[BCDFGHJKLMNPQRSTVWXZ]{4}$/i;

/** The path of `verification_uri` under PUBLIC_URL; `verification_uri_complete` adds `?user_code=XXXX-XXXX`. */
export const DEVICE_VERIFICATION_PATH = '/device';

/**
 * The scan answer for a session found by its user code: the requester also names the OAuth client that asks, and the
 * code as the device shows it (`XXXX-XXXX`), for the user to compare before confirming (RFC 8628 §5.4): a link opened
 * from elsewhere may carry another device's code.
 */
export interface ScanCodeResult extends ScanResult {
  requester: ScanResult['requester'] & { clientId: string; userCode: string };
}
