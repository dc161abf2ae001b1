import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AccountsService } from '@app/accounts';
import { DomainError } from '@app/common';
import { AppConfigService, ConfigError } from '@app/config';
import { TokenRevocations } from '@app/tokens';

/**
 * `ADMIN_USERNAME` / `ADMIN_PASSWORD`: create that admin at start, or make the account admin with that password. A
 * password easy to guess (the rule of every account) stops the start with a configuration error. An
 * account that changes (someone registered the name first, or the password was rotated) loses every token it had:
 * an old token must not become an admin's.
 */
@Injectable()
export class AdminAccountBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger(AdminAccountBootstrap.name);

  constructor(
    private readonly accounts: AccountsService,
    private readonly config: AppConfigService,
    private readonly revocations: TokenRevocations,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { adminUsername, adminPassword } = this.config;
    if (!adminUsername || !adminPassword) return;
    const outcome = await this.accounts
      .ensureAdmin(adminUsername, adminPassword, async (manager, accountId) => {
        const revoked = await this.revocations.revokeAllOfAccount(manager, accountId, 'admin');
        if (revoked > 0) this.logger.warn(`admin account "${adminUsername}" changed: revoked its ${revoked} earlier token(s)`);
      })
      .catch((error: unknown) => {
        // A weak password is the operator's setting, not a fault: the service refuses to start and says why.
        if (error instanceof DomainError && error.code === 'validation_failed') {
          throw new ConfigError([`ADMIN_PASSWORD ${error.message.replace(/^password /, '')}`]);
        }
        throw error;
      });
    this.logger.log(`admin account "${adminUsername}" is ready (${outcome})`);
  }
}
