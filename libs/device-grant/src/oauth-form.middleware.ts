import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { requestIdOf, sendOAuthError, toOAuthError } from './oauth-error.filter';
import { OAuthError } from './oauth.error';

/** The endpoints that take form-encoded parameters (RFC 6749 §3.2, RFC 8628 §3.1). */
export const OAUTH_FORM_PATHS = ['/oauth/device_authorization', '/oauth/token'];

/** Only form-encoded bodies are OAuth requests; a body of another type (JSON, ...) is refused before any parser reads it. */
function formOnly(request: Request, _response: Response, next: NextFunction): void {
  // `is` answers null for a request without a body: its missing parameters are named by the form pipe.
  const type = request.is('application/x-www-form-urlencoded');
  if (type === false) {
    next(new OAuthError('invalid_request', 'Send the parameters as application/x-www-form-urlencoded.'));
    return;
  }
  next();
}

/** Parser failures (too large, a bad charset, too many parameters) answer OAuth errors too, not the contract's body. */
function answerParserError(error: unknown, request: Request, response: Response, _next: NextFunction): void {
  sendOAuthError(response, toOAuthError(error, request.originalUrl.split('?')[0], requestIdOf(response)));
}

/**
 * The form parser of the OAuth endpoints, to mount on {@link OAUTH_FORM_PATHS} before the JSON parser: no other route
 * accepts form bodies. Repeated parameters stay arrays (`extended: false`), so the form pipe can refuse them.
 */
export function oauthFormMiddleware(
  limitBytes: number,
): Array<RequestHandler | ((error: unknown, request: Request, response: Response, next: NextFunction) => void)> {
  return [formOnly, express.urlencoded({ extended: false, limit: limitBytes, parameterLimit: 32 }), answerParserError];
}
