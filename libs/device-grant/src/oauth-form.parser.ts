import type { FastifyInstance, FastifyRequest } from 'fastify';
import { errorCodes } from 'fastify';
import { parse } from 'node:querystring';
import type { Readable } from 'node:stream';
import { charsetOf, mediaTypeOf, namesCharsetOtherThanUtf8 } from '@app/common';
import { OAuthError } from './oauth.error';

/** The endpoints that take form-encoded parameters (RFC 6749 §3.2, RFC 8628 §3.1). */
export const OAUTH_FORM_PATHS = new Set(['/oauth/device_authorization', '/oauth/token']);

const FORM_TYPE = 'application/x-www-form-urlencoded';
const MAX_PARAMETERS = 32;
/**
 * Charsets that some client libraries name by default (Apache HttpClient: ISO-8859-1) and that read as UTF-8 does as
 * long as every byte, sent as it is or percent-encoded, is ASCII: every valid value of these endpoints is.
 */
const ASCII_COMPATIBLE_CHARSETS = new Set(['us-ascii', 'ascii', 'iso-8859-1', 'latin1']);

/** Whether a form body is ASCII once percent-decoded: no byte above 0x7f, no `%80`-`%FF`. */
function isAsciiForm(body: Buffer): boolean {
  return body.every((byte) => byte < 0x80) && !/%[89a-f][0-9a-f]/i.test(body.toString('latin1'));
}

const isFormRoute = (request: FastifyRequest) => OAUTH_FORM_PATHS.has(request.routeOptions.url ?? '');

function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** Reads a body of at most `limitBytes`; a larger one is refused as soon as it is known to be larger. */
function readBody(payload: Readable, declaredLength: number, limitBytes: number): Promise<Buffer> {
  if (declaredLength > limitBytes) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    payload.on('data', (chunk: Buffer) => {
      length += chunk.length;
      if (length > limitBytes) {
        payload.removeAllListeners('data');
        reject(tooLarge());
      } else chunks.push(chunk);
    });
    payload.once('end', () => resolve(Buffer.concat(chunks, length)));
    payload.once('error', () => reject(new OAuthError('invalid_request', 'The request body could not be read.')));
  });
}

const tooLarge = () => new OAuthError('invalid_request', 'The request body is larger than the limit.', 413);

/**
 * Form bodies for the OAuth endpoints only, answered in the OAuth format when refused; every other route refuses them
 * as an unsupported content type (the JSON API takes JSON). On the OAuth endpoints:
 * - a body of another type (JSON, ...) is refused before any parser reads it;
 * - parameters are read as `node:querystring` reads them: a repeated one stays an array, so the form pipe can refuse it;
 * - more than 32 parameters, or a body over `limitBytes` (413), is refused;
 * - a charset other than UTF-8 is refused, but for US-ASCII and ISO-8859-1 when every byte of the body is ASCII.
 */
export function registerOAuthFormBodies(fastify: FastifyInstance, limitBytes: number): void {
  fastify.addHook('onRequest', (request, _reply, done) => {
    if (isFormRoute(request) && hasBody(request) && mediaTypeOf(request.headers['content-type']) !== FORM_TYPE) {
      done(new OAuthError('invalid_request', 'Send the parameters as application/x-www-form-urlencoded.'));
      return;
    }
    done();
  });
  fastify.addContentTypeParser(FORM_TYPE, async (request: FastifyRequest, payload: Readable) => {
    // No route: the answer is 404 whatever the body.
    if (request.is404) return undefined;
    if (!isFormRoute(request)) throw new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE();
    const contentType = request.headers['content-type'];
    const asciiCompatible = ASCII_COMPATIBLE_CHARSETS.has(charsetOf(contentType) ?? '');
    if (namesCharsetOtherThanUtf8(contentType) && !asciiCompatible) {
      throw new OAuthError('invalid_request', 'Send the parameters in UTF-8.');
    }
    const raw = await readBody(payload, Number(request.headers['content-length'] ?? 0), limitBytes);
    if (asciiCompatible && !isAsciiForm(raw)) throw new OAuthError('invalid_request', 'Send the parameters in UTF-8.');
    const body = raw.toString('utf8');
    if (body.split('&').length > MAX_PARAMETERS) throw new OAuthError('invalid_request', `Send at most ${MAX_PARAMETERS} parameters.`);
    return parse(body, '&', '=', { maxKeys: 0 });
  });
}
