import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AccountsService } from '@app/accounts';
import { AppConfigService } from '@app/config';

/** `ADMIN_USERNAME` / `ADMIN_PASSWORD`: create that admin at start, or make the account admin with that password. */
@Injectable()
export class AdminAccountBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger(AdminAccountBootstrap.name);

  constructor(
    private readonly accounts: AccountsService,
    private readonly config: AppConfigService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { adminUsername, adminPassword } = this.config;
    if (!adminUsername || !adminPassword) return;
    await this.accounts.ensureAdmin(adminUsername, adminPassword);
    this.logger.log(`admin account "${adminUsername}" is ready`);
  }
}
