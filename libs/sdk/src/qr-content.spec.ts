import { qrIdFromContent, qrTargetOf } from './qr-content';

describe('qrIdFromContent', () => {
  const id = 'Ab3_-xYz0123456789AbCd';

  it.each([
    [id, 'a bare id'],
    [`  ${id}\n`, 'a bare id with the whitespace a scanner adds'],
    [`http://localhost:3000/q/${id}`, 'the QR content'],
    [`https://login.example.com/prefix/q/${id}/`, 'the QR content under a path prefix, with a trailing slash'],
  ])('reads the id from %p (%s)', (content) => {
    expect(qrIdFromContent(content)).toBe(id);
  });

  it.each(['', 'https://example.com/', `https://example.com/x/${id}`, 'a b', '../../api/devices'])('refuses %p', (content) => {
    expect(() => qrIdFromContent(content)).toThrow(expect.objectContaining({ code: 'invalid_qr_content', statusCode: 0 }));
  });
});

describe('qrTargetOf', () => {
  const id = 'Ab3_-xYz0123456789AbCd';

  it('reads a QR login as its session', () => {
    expect(qrTargetOf(`http://localhost:3000/q/${id}`)).toEqual({ kind: 'session', id });
    expect(qrTargetOf(id)).toEqual({ kind: 'session', id });
  });

  it.each([
    ['http://localhost:3000/device?user_code=WDJB-MJHT', 'WDJB-MJHT'],
    ['https://login.example.com/prefix/device/?user_code=wdjbmjht', 'wdjbmjht'],
    ['  https://login.example.com/device?x=1&user_code=WDJB%20MJHT\n', 'WDJB MJHT'],
  ])('reads a device grant link %p as its user code', (content, userCode) => {
    expect(qrTargetOf(content)).toEqual({ kind: 'userCode', userCode });
  });

  it.each(['http://localhost:3000/device', 'http://localhost:3000/device?user_code=WDJA-MJHT', 'http://localhost:3000/device?user_code=x'])(
    'refuses a device link without a valid code: %p',
    (content) => {
      expect(() => qrTargetOf(content)).toThrow(expect.objectContaining({ code: 'invalid_qr_content' }));
    },
  );
});
