import { DomainError, handshakeError } from '@app/common';
import { parseQrSocketAuth } from './qr-socket-auth';

describe('socket handshake auth', () => {
  const qrId = 'AAAAAAAAAAAAAAAAAAAAAA';

  it('accepts {qrId, secret}', () => {
    expect(parseQrSocketAuth({ qrId, secret: 'sekrit', extra: 1 })).toEqual({ qrId, secret: 'sekrit' });
  });

  it.each([undefined, null, 'string', { qrId: 42 }, { qrId: 'short' }, { qrId: `${qrId}x` }])(
    'refuses a malformed qrId (%p) with validation_failed',
    (auth) => {
      expect(() => parseQrSocketAuth(auth)).toThrow(expect.objectContaining({ code: 'validation_failed' }));
    },
  );

  it.each([{ qrId }, { qrId, secret: '' }, { qrId, secret: 7 }, { qrId, secret: 'x'.repeat(257) }])(
    'refuses a missing or malformed secret (%p) with qr_secret_invalid',
    (auth) => {
      expect(() => parseQrSocketAuth(auth)).toThrow(expect.objectContaining({ code: 'qr_secret_invalid' }));
    },
  );

  it('turns errors into connect_error messages that are contract codes, hiding unknown causes', () => {
    expect(handshakeError(new DomainError('qr_not_found', 'No such QR session.'))).toMatchObject({
      message: 'qr_not_found',
      data: { code: 'qr_not_found', message: 'No such QR session.' },
    });
    expect(handshakeError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })).message).toBe('service_unavailable');
    const unknown = handshakeError(new TypeError('x is undefined at /srv/secret/path.js'));
    expect(unknown.message).toBe('internal_error');
    expect(JSON.stringify(unknown.data)).not.toContain('/srv/secret');
  });
});
