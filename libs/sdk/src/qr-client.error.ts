import { ERROR_STATUS, type ErrorBody, type ErrorCode } from '@app/contract';

/**
 * Codes that only a client produces: the server never answers them. They sit beside the contract's codes so that an
 * application switches on one `code` whatever went wrong.
 * - `network_error`: no answer at all (connection refused, DNS, TLS, offline, a request that timed out); statusCode 0.
 * - `unexpected_response`: an answer that is not the contract's (a proxy's HTML error page, a body that is not JSON).
 * - `not_signed_in`: a call that needs a token before `login` (or after `logout`); statusCode 0.
 * - `invalid_qr_content`: text that is neither a QR session URL (`.../q/<id>`) nor a session id; statusCode 0.
 */
export const CLIENT_ERROR_CODES = ['network_error', 'unexpected_response', 'not_signed_in', 'invalid_qr_content'] as const;
export type ClientErrorCode = (typeof CLIENT_ERROR_CODES)[number];

export type QrClientErrorCode = ErrorCode | ClientErrorCode;

export function isContractErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ERROR_STATUS, value);
}

/**
 * Every failure the SDK reports: the contract's `{statusCode, code, message}` as the server answered it, or one of
 * the client-side codes above. `retryAfterSeconds` carries the `Retry-After` of a `rate_limited` answer.
 */
export class QrClientError extends Error {
  override readonly name = 'QrClientError';
  readonly retryAfterSeconds?: number;

  constructor(
    readonly statusCode: number,
    readonly code: QrClientErrorCode,
    message: string,
    options: { cause?: unknown; retryAfterSeconds?: number } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    if (options.retryAfterSeconds !== undefined) this.retryAfterSeconds = options.retryAfterSeconds;
  }

  /** A client-side failure: no HTTP status to report. */
  static client(code: ClientErrorCode, message: string, cause?: unknown): QrClientError {
    return new QrClientError(0, code, message, { cause });
  }

  /** An error the server stated with a contract code (HTTP body or socket handshake refusal). */
  static fromBody(body: ErrorBody, retryAfterSeconds?: number): QrClientError {
    return new QrClientError(body.statusCode, body.code, body.message, { retryAfterSeconds });
  }

  /** The same shape as the contract's error body, for logs and for passing the error on. */
  toJSON(): { statusCode: number; code: QrClientErrorCode; message: string } {
    return { statusCode: this.statusCode, code: this.code, message: this.message };
  }
}

export function isQrClientError(error: unknown, code?: QrClientErrorCode): error is QrClientError {
  return error instanceof QrClientError && (code === undefined || error.code === code);
}
