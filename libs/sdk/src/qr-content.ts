import { USER_CODE_INPUT_PATTERN } from '@app/contract';
import { QrClientError } from './qr-client.error';

const ID_PATTERN = /^[A-Za-z0-9_-]+$/;

/**
 * The QR session id in what a phone's camera read: the QR's content (`<PUBLIC_URL>/q/<id>`, contract §3) or a bare
 * id. Ids are opaque, so only the characters a URL path segment needs are checked; the server says whether it knows it.
 */
export function qrIdFromContent(content: string): string {
  const text = content.trim();
  if (ID_PATTERN.test(text)) return text;
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  const match = url && /^(?:.*\/)?q\/([^/]+)\/?$/.exec(url.pathname);
  if (match && ID_PATTERN.test(match[1])) return match[1];
  throw QrClientError.client('invalid_qr_content', `"${text.slice(0, 200)}" is neither a QR login URL (.../q/<id>) nor a QR session id`);
}

/** What a QR for the phone points at: a QR login session, or a device grant's user code. */
export type QrTarget = { kind: 'session'; id: string } | { kind: 'userCode'; userCode: string };

/**
 * Reads what a phone's camera read: a QR login (`<PUBLIC_URL>/q/<id>`, or a bare session id), or the
 * `verification_uri_complete` that a CLI or TV shows as a QR (`<PUBLIC_URL>/device?user_code=WDJB-MJHT`), which the
 * phone approves exactly like a QR login.
 */
export function qrTargetOf(content: string): QrTarget {
  const text = content.trim();
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (url && /\/device\/?$/.test(url.pathname)) {
    const userCode = url.searchParams.get('user_code')?.trim();
    if (userCode && USER_CODE_INPUT_PATTERN.test(userCode)) return { kind: 'userCode', userCode };
    throw QrClientError.client('invalid_qr_content', `"${text.slice(0, 200)}" is a device sign-in link without a valid user_code`);
  }
  return { kind: 'session', id: qrIdFromContent(text) };
}
