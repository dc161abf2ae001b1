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
