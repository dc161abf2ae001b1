import { qrIdFromContent } from './qr-content';

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
