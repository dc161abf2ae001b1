import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DomainError, type ClientInfo } from '@app/common';
import { AccountsService, toAccountView, type Account } from '@app/accounts';
import { LoginLockout } from '@app/rate-limits';
import type { AccountView, DeviceView, LoginResult } from '@app/contract';
import { DevicesRepository, type DeviceDto } from '@app/devices';
import { SignInAlerts } from '@app/sign-in-alerts';
import { TokenRevocations, TokensService, type AuthContext } from '@app/tokens';

@Injectable()
export class AuthService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly accounts: AccountsService,
    private readonly devices: DevicesRepository,
    private readonly tokens: TokensService,
    private readonly revocations: TokenRevocations,
    private readonly lockout: LoginLockout,
    private readonly alerts: SignInAlerts,
  ) {}

  /** Password sign-in: the token is bound to the account and to the device that signed in. */
  async login(username: string, password: string, device: DeviceDto, client: ClientInfo): Promise<LoginResult> {
    await this.lockout.assertMayTry(username, client.ip);
    let account: Account;
    try {
      account = await this.accounts.authenticate(username, password);
    } catch (error) {
      if (error instanceof DomainError && error.code === 'invalid_credentials') await this.lockout.recordFailure(username, client.ip);
      throw error;
    }
    await this.lockout.recordSuccess(username, client.ip);
    return this.dataSource.transaction(async (manager) => {
      const row = await this.devices.upsertForSignIn(manager, {
        accountId: account.id,
        clientDeviceId: device.id,
        type: device.type,
        name: device.name ?? null,
      });
      if (!row) {
        throw new DomainError('device_mismatch', `This account already has a device "${device.id}" of another type.`);
      }
      const login = await this.tokens.issue(
        manager,
        { account: toAccountView(account), device: { rowId: row.id, id: row.clientDeviceId, type: row.type, name: row.name } },
        'password',
      );
      await this.alerts.publish(manager, account.id, {
        method: 'password',
        at: new Date().toISOString(),
        device: login.device,
        ip: client.ip,
        userAgent: client.userAgent,
      });
      return login;
    });
  }

  async logout(auth: AuthContext): Promise<void> {
    await this.revocations.revoke(auth.tokenId, 'logout');
  }

  async me(auth: AuthContext): Promise<{ account: AccountView; device: DeviceView }> {
    const [account, device] = await Promise.all([this.accounts.get(auth.accountId), this.devices.findById(auth.deviceRowId)]);
    if (!device) throw new DomainError('token_revoked', 'This device no longer exists; sign in again.');
    return { account: toAccountView(account), device: { id: device.clientDeviceId, type: device.type, name: device.name } };
  }
}
