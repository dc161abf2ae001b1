import { Logger, OnModuleDestroy } from '@nestjs/common';
import { OnGatewayInit, WebSocketGateway, WebSocketServer } from '@nestjs/websockets';
import type { Namespace } from 'socket.io';
import { DomainError, isDatabaseUnavailable } from '@app/common';
import { AccountsRepository } from '@app/accounts';
import { ADMIN_NAMESPACE, type AdminServerToClientEvents, type ErrorCode } from '@app/contract';
import { QrSessionChanges } from '@app/qr-sessions';
import { TokensService } from '@app/tokens';

type AdminNamespace = Namespace<Record<string, never>, AdminServerToClientEvents>;

/**
 * Live updates for the admin page: every QR session change, as `qr_session {type, id, status}`. An admin token and
 * its device id in `auth` are checked at the handshake, as on the REST routes.
 */
@WebSocketGateway({ namespace: ADMIN_NAMESPACE, cors: { origin: true } })
export class AdminGateway implements OnGatewayInit<AdminNamespace>, OnModuleDestroy {
  private readonly logger = new Logger(AdminGateway.name);
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
      const auth = (socket.handshake.auth ?? {}) as { accessToken?: unknown; deviceId?: unknown };
      this.authorize(auth).then(
        () => next(),
        (error: unknown) => {
          const code: ErrorCode =
            error instanceof DomainError ? error.code : isDatabaseUnavailable(error) ? 'service_unavailable' : 'internal_error';
          if (code === 'internal_error') this.logger.error('admin handshake failed', (error as Error).stack);
          next(Object.assign(new Error(code), { data: { code } }));
        },
      );
    });
    this.unsubscribe = this.changes.subscribe((change) =>
      this.namespace.local.emit('qr_session', { type: change.type, id: change.id, status: change.status }),
    );
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  private async authorize(auth: { accessToken?: unknown; deviceId?: unknown }): Promise<void> {
    const context = await this.tokens.authenticate({
      authorization: typeof auth.accessToken === 'string' ? `Bearer ${auth.accessToken}` : undefined,
      deviceId: typeof auth.deviceId === 'string' ? auth.deviceId : undefined,
    });
    const account = await this.accounts.findById(context.accountId);
    if (account?.role !== 'admin') throw new DomainError('forbidden', 'This needs an admin account.');
  }
}
