import { Logger, PayloadTooLargeException } from '@nestjs/common';
import { DomainError } from '@app/common';
import { toOAuthError, TOKEN_ENDPOINT_PATH } from './oauth-error.filter';
import { OAuthError } from './oauth.error';

describe('toOAuthError', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('keeps an OAuthError as it is', () => {
    const error = new OAuthError('invalid_grant', 'Unknown device_code.');
    expect(toOAuthError(error, TOKEN_ENDPOINT_PATH)).toBe(error);
  });

  it('turns a rate limit into slow_down at the token endpoint and rate_limited elsewhere, keeping Retry-After', () => {
    const limited = new DomainError('rate_limited', 'Too many requests; retry in 12 s.', 12);
    expect(toOAuthError(limited, TOKEN_ENDPOINT_PATH)).toMatchObject({ error: 'slow_down', status: 429, retryAfterSeconds: 12 });
    expect(toOAuthError(limited, '/oauth/device_authorization')).toMatchObject({ error: 'rate_limited', status: 429, retryAfterSeconds: 12 });
  });

  it('maps bad input to invalid_request, a large body to 413, an outage to temporarily_unavailable', () => {
    expect(toOAuthError(new DomainError('validation_failed', 'x'), '/oauth/token')).toMatchObject({ error: 'invalid_request', status: 400 });
    expect(toOAuthError(new PayloadTooLargeException(), '/oauth/token')).toMatchObject({ error: 'invalid_request', status: 413 });
    expect(toOAuthError(Object.assign(new Error('raw body'), { status: 415 }), '/oauth/token')).toMatchObject({
      error: 'invalid_request',
      status: 400,
    });
    expect(toOAuthError(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }), '/oauth/token')).toMatchObject({
      error: 'temporarily_unavailable',
      status: 503,
    });
  });

  it('answers anything else as server_error with the request id as correlation id, never the cause', () => {
    const error = toOAuthError(new Error('secret internals'), '/oauth/token', 'req-123');
    expect(error).toMatchObject({ error: 'server_error', status: 500 });
    expect(error.description).toContain('req-123');
    expect(error.description).not.toContain('secret internals');
  });
});
