/**
 * The stable, machine-readable error codes of the public contract, with the HTTP status each one answers.
 * Clients switch on `code`; the status is derived from it in exactly one place.
 */
export const ERROR_STATUS = {
  validation_failed: 400,
  unauthorized: 401,
  token_revoked: 401,
  device_mismatch: 401,
  invalid_credentials: 401,
  forbidden: 403,
  qr_secret_invalid: 403,
  scan_ticket_invalid: 403,
  not_found: 404,
  qr_not_found: 404,
  username_taken: 409,
  qr_already_scanned: 409,
  qr_not_scanned: 409,
  qr_already_completed: 409,
  qr_expired: 410,
  payload_too_large: 413,
  rate_limited: 429,
  internal_error: 500,
  service_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export function statusOf(code: ErrorCode): number {
  return ERROR_STATUS[code];
}

/** The body of every error answer: `{ statusCode, code, message }`. */
export interface ErrorBody {
  statusCode: number;
  code: ErrorCode;
  message: string;
}
