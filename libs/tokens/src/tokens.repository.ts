import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { preparedQuery } from '@app/database';
import { AccessToken, type TokenGrant, type TokenRevokeReason } from './access-token.entity';

/** What the guard needs to know of a presented token, read in one round trip. */
export interface TokenState {
  id: string;
  accountId: string;
  deviceId: string;
  revokedAt: Date | null;
  expiresAt: Date;
}

@Injectable()
export class TokensRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(
    manager: EntityManager,
    token: { id: string; accountId: string; deviceId: string; grant: TokenGrant; issuedAt: Date; expiresAt: Date },
  ): Promise<void> {
    await manager.insert(AccessToken, { ...token, revokedAt: null, revokeReason: null });
  }

  /**
   * Reads the token's state for an authenticated request and, in the same statement, notes that its device was seen
   * (at most once a minute, so that a busy client does not turn every read into a write).
   */
  async findForRequest(tokenId: string): Promise<TokenState | null> {
    const rows = await preparedQuery<{ id: string; account_id: string; device_id: string; revoked_at: Date | null; expires_at: Date }>(
      this.dataSource,
      `WITH token AS (
           SELECT id, account_id, device_id, revoked_at, expires_at FROM access_tokens WHERE id = $1
         ), seen AS (
           UPDATE devices SET last_seen_at = now()
            WHERE id = (SELECT device_id FROM token WHERE revoked_at IS NULL)
              AND last_seen_at < now() - interval '60 seconds'
         )
         SELECT * FROM token`,
      [tokenId],
    );
    const row = rows[0];
    return row ? { id: row.id, accountId: row.account_id, deviceId: row.device_id, revokedAt: row.revoked_at, expiresAt: row.expires_at } : null;
  }

  /** Every token issued to the account, newest first (the admin's view of a device's tokens). */
  listOfAccount(accountId: string): Promise<AccessToken[]> {
    return this.dataSource.getRepository(AccessToken).find({ where: { accountId }, order: { issuedAt: 'DESC' } });
  }

  /** Revokes one token; answers its id if it was still standing (none otherwise). */
  revoke(manager: EntityManager, tokenId: string, reason: TokenRevokeReason): Promise<string[]> {
    return this.revokeWhere(manager, 'id = :tokenId', { tokenId }, reason);
  }

  /** Revokes every standing token of a device; answers their ids. */
  revokeAllOfDevice(manager: EntityManager, deviceId: string, reason: TokenRevokeReason): Promise<string[]> {
    return this.revokeWhere(manager, 'device_id = :deviceId', { deviceId }, reason);
  }

  /** Revokes every standing token of an account, on all its devices; answers their ids. */
  revokeAllOfAccount(manager: EntityManager, accountId: string, reason: TokenRevokeReason): Promise<string[]> {
    return this.revokeWhere(manager, 'account_id = :accountId', { accountId }, reason);
  }

  private async revokeWhere(manager: EntityManager, where: string, parameters: Record<string, string>, reason: TokenRevokeReason): Promise<string[]> {
    const result = await manager
      .createQueryBuilder()
      .update(AccessToken)
      .set({ revokedAt: () => 'now()', revokeReason: reason })
      .where(`${where} AND revoked_at IS NULL`, parameters)
      .returning('id')
      .execute();
    return (result.raw as Array<{ id: string }>).map((row) => row.id);
  }
}
