import { jest } from '@jest/globals';
import type { Namespace, Socket } from 'socket.io';
import { DomainError } from '../errors/domain.error';
import { recheckSockets } from './recheck-sockets';

/** A namespace of fake sockets, each of which answers its own recheck as `outcomes` says. */
function namespaceOf(outcomes: Record<string, () => Promise<unknown>>) {
  const disconnected: string[] = [];
  const sockets = new Map(Object.keys(outcomes).map((id) => [id, { id, disconnect: () => void disconnected.push(id) } as unknown as Socket]));
  return { namespace: { sockets } as unknown as Namespace, disconnected, check: (socket: Socket) => outcomes[socket.id]() };
}

describe('recheckSockets', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('disconnects a socket its check refuses, and keeps one whose check could not be made', async () => {
    const unreachable = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const { namespace, disconnected, check } = namespaceOf({
      standing: () => Promise.resolve(),
      revoked: () => Promise.reject(new DomainError('token_revoked', 'revoked')),
      broken: () => Promise.reject(new Error('a bug')),
      poolBusy: () => Promise.reject(new Error('timeout exceeded when trying to connect')),
      databaseDown: () => Promise.reject(unreachable),
      unavailable: () => Promise.reject(new DomainError('service_unavailable', 'later')),
    });
    const stop = recheckSockets(namespace, check, 1000);
    await jest.advanceTimersByTimeAsync(1000);
    stop();
    expect(disconnected.sort()).toEqual(['broken', 'revoked']);
  });
});
