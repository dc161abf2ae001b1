import { OnModuleDestroy } from '@nestjs/common';
import { OnGatewayInit, WebSocketGateway, WebSocketServer } from '@nestjs/websockets';
import type { Namespace } from 'socket.io';
import { DomainError, handshakeError } from '@app/common';
import { AccountsRepository } from '@app/accounts';
import { ADMIN_NAMESPACE, type AdminServerToClientEvents } from '@app/contract';
import { QrSessionChanges } from '@app/qr-sessions';
import { TokensService } from '@app/tokens';

type AdminNamespace = Namespace<Record<string, never>, AdminServerToClientEvents>;

/**
 * Live updates for the admin page: every QR session change, as `qr_session {type, id, status}`. An admin token and
 * its device id in `auth` are checked at the handshake, as on the REST routes.
 */
@WebSocketGateway({ namespace: ADMIN_NAMESPACE, cors: { origin: true } })
export class AdminGateway implements OnGatewayInit<AdminNamespace>, OnModuleDestroy {
  private unsubscribe: (() => void) | undefined;

  @WebSocketServer()
  private readonly namespace: AdminNamespace;

  constructor(
    private readonly tokens: TokensService,
    private readonly accounts: AccountsRepository,
    private readonly changes: QrSessionChanges,
  ) {}

  afterInit(namespace: AdminNamespace): void {
    namespace.use((socket, next) => {
      this.authorize(socket.handshake.auth).then(
        () => next(),
        (error: unknown) => next(handshakeError(error)),
      );
    });
    this.unsubscribe = this.changes.subscribe((change) =>
      this.namespace.local.emit('qr_session', { type: change.type, id: change.id, status: change.status }),
    );
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  private async authorize(auth: unknown): Promise<void> {
    const context = await this.tokens.authenticateHandshake(auth);
    const account = await this.accounts.findById(context.accountId);
    if (account?.role !== 'admin') throw new DomainError('forbidden', 'This needs an admin account.');
  }
}
