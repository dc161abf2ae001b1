import { JwtService } from '@nestjs/jwt';
import { KeyObject } from 'node:crypto';
import { jwtOptionsOf } from './tokens.module';

describe('jwtOptionsOf', () => {
  const SECRET = 'unit-test-secret-unit-test-secret-0123456789';

  it('hands jsonwebtoken a secret KeyObject made once, not the string it would parse on every sign and verify', () => {
    const options = jwtOptionsOf(SECRET);
    expect(options.secret).toBeInstanceOf(KeyObject);
    expect((options.secret as KeyObject).type).toBe('secret');
  });

  it('signs tokens that the plain string secret verifies, and verifies tokens that it signed', () => {
    const keyed = new JwtService(jwtOptionsOf(SECRET));
    const plain = new JwtService({ secret: SECRET });
    const claims = { sub: 'acc-1', jti: '6f1c3a52-8a5e-4a43-b7e8-0d6c3f1b2a90' };
    expect(plain.verify(keyed.sign(claims, { algorithm: 'HS256' }), { algorithms: ['HS256'] })).toMatchObject(claims);
    expect(keyed.verify(plain.sign(claims, { algorithm: 'HS256' }), { algorithms: ['HS256'] })).toMatchObject(claims);
    expect(() => new JwtService(jwtOptionsOf(`${SECRET}x`)).verify(keyed.sign(claims), { algorithms: ['HS256'] })).toThrow('invalid signature');
  });
});
