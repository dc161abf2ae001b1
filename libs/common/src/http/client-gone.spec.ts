import type { FastifyRequest } from 'fastify';
import { isClientGone } from './http-error.filter';

const request = (destroyed: boolean) => ({ raw: { destroyed } }) as unknown as FastifyRequest;
const error = (message: string) => Object.assign(new Error(message), { code: 'ECONNRESET' });

describe('isClientGone', () => {
  it("takes the request stream's own abort for the client going away", () => {
    expect(isClientGone(error('aborted'), request(true))).toBe(true);
  });

  it('keeps a lost database connection what it is, even when the client has gone too', () => {
    expect(isClientGone(error('read ECONNRESET'), request(true))).toBe(false);
    expect(isClientGone(error('aborted'), request(false))).toBe(false);
    expect(isClientGone(undefined, request(true))).toBe(false);
  });
});
