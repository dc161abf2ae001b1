import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { preparedQuery } from '@app/database';
import { countingSql, counterStateOf, type CounterRow, type CounterState } from '@app/rate-limits';
import { AccessToken, type TokenGrant, type TokenRevokeReason } from './access-token.entity';

/** What the guard needs to know of a presented token, read in one round trip. */
export interface TokenState {
  id: string;
  accountId: string;
  deviceId: string;
  revokedAt: Date | null;
  /** Past its record's `expires_at` by PostgreSQL's clock: the one clock that decides, in SQL and in code alike. */
  expired: boolean;
}

interface TokenRow {
  id: string;
  account_id: string;
  device_id: string;
  revoked_at: Date | null;
  expired: boolean;
}

const stateOf = (row: TokenRow): TokenState => ({
  id: row.id,
  accountId: row.account_id,
  deviceId: row.device_id,
  revokedAt: row.revoked_at,
  expired: row.expired,
});

/**
 * Checks a presented token inside a statement that does other work too: `presented_token` is the token's row, if there
 * is one, and its device is noted as seen (at most once a minute, so that a busy client does not turn every read into
 * a write). `tokenId` is an SQL expression, usually a parameter.
 */
export function presentedTokenCtes(tokenId: string): string {
  return `presented_token AS (
           SELECT id, account_id, device_id, revoked_at, expires_at <= now() AS expired FROM access_tokens WHERE id = ${tokenId}
         ), presented_device_seen AS (
           UPDATE devices SET last_seen_at = now()
            WHERE id = (SELECT device_id FROM presented_token WHERE revoked_at IS NULL)
              AND last_seen_at < now() - interval '60 seconds'
         )`;
}

/**
 * The condition under which `presented_token` lets a request through: there is such a row, it was not revoked nor has
 * it expired, and it is of the account the token names (`accountId`, an SQL expression), as
 * {@link TokensService.assertStands} checks.
 */
export function presentedTokenStands(accountId: string): string {
  return `presented_token.revoked_at IS NULL AND NOT presented_token.expired AND presented_token.account_id::text = ${accountId}`;
}

/** `presented_token`'s columns in the output of a statement that checked it, read by {@link presentedTokenStateOf}. */
export const PRESENTED_TOKEN_COLUMNS = `presented_token.id AS "presentedTokenId", presented_token.account_id AS "presentedTokenAccountId",
  presented_token.device_id AS "presentedTokenDeviceId", presented_token.revoked_at AS "presentedTokenRevokedAt",
  presented_token.expired AS "presentedTokenExpired"`;

/** The presented token's state as a statement with {@link PRESENTED_TOKEN_COLUMNS} read it (none: there is no such token). */
export function presentedTokenStateOf(row: Record<string, unknown>): TokenState | null {
  if (!row.presentedTokenId) return null;
  return stateOf({
    id: row.presentedTokenId as string,
    account_id: row.presentedTokenAccountId as string,
    device_id: row.presentedTokenDeviceId as string,
    revoked_at: (row.presentedTokenRevokedAt as Date | null) ?? null,
    expired: row.presentedTokenExpired as boolean,
  });
}

/** The token's state, and its device noted as seen ({@link presentedTokenCtes}). The token's id is $1. */
const TOKEN_FOR_REQUEST_CTES = presentedTokenCtes('$1');
const TOKEN_FOR_REQUEST_SELECT = 'SELECT * FROM presented_token';

const TOKEN_FOR_REQUEST = `WITH ${TOKEN_FOR_REQUEST_CTES} ${TOKEN_FOR_REQUEST_SELECT}`;

/** A request counted on its rate limit in the statement that checks its token ($2 the counter's key, $3 its window). */
const TOKEN_FOR_COUNTED_REQUEST = countingSql({ with: TOKEN_FOR_REQUEST_CTES, select: TOKEN_FOR_REQUEST_SELECT }, '$2', '$3');

@Injectable()
export class TokensRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(
    manager: EntityManager,
    token: { id: string; accountId: string; deviceId: string; grant: TokenGrant; issuedAt: Date; expiresAt: Date },
  ): Promise<void> {
    await manager.insert(AccessToken, { ...token, revokedAt: null, revokeReason: null });
  }

  /** Reads the token's state for an authenticated request, and notes that its device was seen. */
  async findForRequest(tokenId: string): Promise<TokenState | null> {
    const [row] = await preparedQuery<TokenRow>(this.dataSource, TOKEN_FOR_REQUEST, [tokenId]);
    return row ? stateOf(row) : null;
  }

  /**
   * The same, and in the same statement counts the request on its rate-limit counter (`key`, of `windowSeconds`):
   * one round trip for both. Answers the counter as the hit left it, whatever the token.
   */
  async findForCountedRequest(
    tokenId: string,
    counter: { key: string; windowSeconds: number },
  ): Promise<{ token: TokenState | null; counter: CounterState }> {
    const [row] = await preparedQuery<Partial<TokenRow> & CounterRow>(this.dataSource, TOKEN_FOR_COUNTED_REQUEST, [
      tokenId,
      counter.key,
      counter.windowSeconds,
    ]);
    // No token row: the LEFT JOIN leaves its columns null, and the counter is answered all the same.
    return { token: row.id ? stateOf(row as TokenRow) : null, counter: counterStateOf(row) };
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
