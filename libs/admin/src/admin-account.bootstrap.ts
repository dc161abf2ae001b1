import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AccountsService } from '@app/accounts';
import { AppConfigService } from '@app/config';
import { TokenRevocations } from '@app/tokens';

/**
 * `ADMIN_USERNAME` / `ADMIN_PASSWORD`: create that admin at start, or make the account admin with that password. An
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
    const outcome = await this.accounts.ensureAdmin(adminUsername, adminPassword, async (manager, accountId) => {
      const revoked = await this.revocations.revokeAllOfAccount(manager, accountId, 'admin');
      if (revoked > 0) this.logger.warn(`admin account "${adminUsername}" changed: revoked its ${revoked} earlier token(s)`);
    });
    this.logger.log(`admin account "${adminUsername}" is ready (${outcome})`);
  }
}
