import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Namespace, Socket } from 'socket.io';
import { EventBus } from '@app/events';
import type { TokenRevokeReason } from './access-token.entity';
import { TokensRepository } from './tokens.repository';

export const TOKEN_REVOCATIONS_CHANNEL = 'token_revocations';

interface TokenRevocationMessage {
  tokenIds: string[];
}

type Listener = (tokenIds: ReadonlySet<string>) => void;

/**
 * Revoking tokens, the one way: every revocation is told to every process on the event bus (in the transaction that revokes them, so a message exists if
 * and only if the revocation committed). Long-lived sockets authenticated by a token (/account, /admin) are
 * disconnected the moment it is revoked, on whichever process holds them, instead of at their next periodic recheck.
 */
@Injectable()
export class TokenRevocations implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(TokenRevocations.name);
  private readonly listeners = new Set<Listener>();
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly bus: EventBus,
    private readonly tokens: TokensRepository,
    private readonly dataSource: DataSource,
  ) {}

  onModuleInit(): void {
    this.unsubscribe = this.bus.subscribe(TOKEN_REVOCATIONS_CHANNEL, (payload) => {
      const ids = (payload as TokenRevocationMessage | null)?.tokenIds;
      if (!Array.isArray(ids)) return;
      const revoked = new Set(ids.filter((id): id is string => typeof id === 'string'));
      for (const listener of this.listeners) listener(revoked);
    });
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  /** Revokes one token (logout). */
  async revoke(tokenId: string, reason: TokenRevokeReason): Promise<void> {
    await this.dataSource.transaction(async (manager) => this.publish(manager, await this.tokens.revoke(manager, tokenId, reason)));
  }

  /** Revokes every standing token of a device inside the caller's transaction; answers how many. */
  async revokeAllOfDevice(manager: EntityManager, deviceRowId: string, reason: TokenRevokeReason): Promise<number> {
    const ids = await this.tokens.revokeAllOfDevice(manager, deviceRowId, reason);
    await this.publish(manager, ids);
    return ids.length;
  }

  /** Revokes every standing token of an account, on every device, inside the caller's transaction; answers how many. */
  async revokeAllOfAccount(manager: EntityManager, accountId: string, reason: TokenRevokeReason): Promise<number> {
    const ids = await this.tokens.revokeAllOfAccount(manager, accountId, reason);
    await this.publish(manager, ids);
    return ids.length;
  }

  /** Publishes within the revoking transaction. */
  private async publish(manager: EntityManager, tokenIds: string[]): Promise<void> {
    if (tokenIds.length === 0) return;
    await this.bus.publish(manager, TOKEN_REVOCATIONS_CHANNEL, { tokenIds } satisfies TokenRevocationMessage);
  }

  /**
   * Disconnects this process's sockets of `namespace` whose token (read by `tokenIdOf`) is revoked; answers the function
   * that stops watching.
   */
  disconnectRevokedSockets<S extends Socket>(namespace: Namespace, tokenIdOf: (socket: S) => string | undefined): () => void {
    const listener: Listener = (revoked) => {
      for (const socket of namespace.sockets.values()) {
        const tokenId = tokenIdOf(socket as S);
        if (tokenId && revoked.has(tokenId)) {
          this.logger.log(`disconnecting socket ${socket.id} of ${namespace.name}: its token was revoked`);
          socket.disconnect(true);
        }
      }
    };
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
