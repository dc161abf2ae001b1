/**
 * The error codes of the OAuth endpoints: RFC 6749 §5.2 and RFC 8628 §3.5, plus `temporarily_unavailable` and
 * `server_error` (RFC 6749 §4.1.2.1) for a database outage and a bug, and `rate_limited` for too many device
 * authorization requests (the token endpoint answers `slow_down` instead, which every device-grant client obeys).
 */
export const OAUTH_ERRORS = [
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unsupported_grant_type',
  'authorization_pending',
  'slow_down',
  'access_denied',
  'expired_token',
  'rate_limited',
  'temporarily_unavailable',
  'server_error',
] as const;
export type OAuthErrorCode = (typeof OAUTH_ERRORS)[number];

/** The body of every OAuth error answer (RFC 6749 §5.2). */
export interface OAuthErrorBody {
  error: OAuthErrorCode;
  error_description: string;
}

/** A refusal of an OAuth endpoint. Like DomainError it knows nothing of HTTP but its status; the OAuth filter answers it. */
export class OAuthError extends Error {
  constructor(
    readonly error: OAuthErrorCode,
    readonly description: string,
    readonly status = 400,
    readonly retryAfterSeconds?: number,
  ) {
    super(description);
    this.name = 'OAuthError';
  }

  get body(): OAuthErrorBody {
    return { error: this.error, error_description: this.description };
  }
}
