import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { DomainError } from '@app/common';
import { AppConfigService } from '@app/config';
import {
  DEVICE_ID_PATTERN,
  isDeviceType,
  type AccountSocketAuth,
  type AccountView,
  type AdminSocketAuth,
  type DeviceView,
  type LoginResult,
} from '@app/contract';
import type { CounterState, RateLimitHit } from '@app/rate-limits';
import type { TokenGrant } from './access-token.entity';
import type { AccessTokenClaims, AuthContext, PendingAuth, PresentedToken } from './auth-context';
import { TokensRepository, type TokenState } from './tokens.repository';

/** The account and device a token is for, as the sign-in answer shows them. */
export interface TokenSubject {
  account: AccountView;
  device: DeviceView & { rowId: string };
}

/** The stored facts of a token from which its string can be derived again (HS256 signing is deterministic). */
export interface IssuedToken {
  id: string;
  issuedAt: Date;
  expiresAt: Date;
}

const ALGORITHM = 'HS256';

/** The headers a signed-in client sends (contract §1). */
export interface PresentedHeaders {
  authorization?: string;
  deviceId?: string;
  deviceType?: string;
}

@Injectable()
export class TokensService {
  constructor(
    private readonly jwt: JwtService,
    private readonly tokens: TokensRepository,
    private readonly config: AppConfigService,
  ) {}

  /** Records a new token for an account's device inside the caller's transaction. */
  async record(manager: EntityManager, accountId: string, deviceRowId: string, grant: TokenGrant): Promise<IssuedToken> {
    const token = this.plan();
    await this.tokens.insert(manager, { ...token, accountId, deviceId: deviceRowId, grant });
    return token;
  }

  /** The id and times of a new token, for a caller that records it in a statement of its own (the QR confirmation). */
  plan(): IssuedToken {
    // Whole seconds, because JWT times are whole seconds and the stored row must re-sign to the same string.
    const issuedAtSeconds = Math.floor(Date.now() / 1000);
    return {
      id: randomUUID(),
      issuedAt: new Date(issuedAtSeconds * 1000),
      expiresAt: new Date((issuedAtSeconds + this.config.accessTokenTtlSeconds) * 1000),
    };
  }

  /** Records a new token for the subject and answers the sign-in result. */
  async issue(manager: EntityManager, subject: TokenSubject, grant: TokenGrant): Promise<LoginResult> {
    const token = await this.record(manager, subject.account.id, subject.device.rowId, grant);
    return this.loginResult(token, subject);
  }

  /**
   * The sign-in answer for a token already recorded. Lets the QR flow hand the desktop its token on every snapshot read
   * within the pickup window without ever storing the token string.
   */
  loginResult(token: IssuedToken, subject: TokenSubject | { account: AccountView; device: DeviceView }): LoginResult {
    const claims: AccessTokenClaims = {
      sub: subject.account.id,
      jti: token.id,
      did: subject.device.id,
      dty: subject.device.type,
      iat: Math.floor(token.issuedAt.getTime() / 1000),
      exp: Math.floor(token.expiresAt.getTime() / 1000),
    };
    return {
      accessToken: this.jwt.sign(claims, { algorithm: ALGORITHM }),
      tokenType: 'Bearer',
      expiresAt: token.expiresAt.toISOString(),
      account: subject.account,
      device: { id: subject.device.id, type: subject.device.type, name: subject.device.name },
    };
  }

  /**
   * Checks, in this order: a bearer token is present; the device headers are well-formed; the signature, algorithm and
   * expiry hold; the token was issued to the device that presents it; the token was not revoked.
   *
   * With `hit`, the request is also counted on its rate limit, in the statement that reads the token, and refused with
   * `rate_limited` past it before any other answer about the token; a request refused before that statement is counted
   * in one of its own, so that guessing tokens is limited too.
   */
  async authenticate(headers: PresentedHeaders, hit?: RateLimitHit): Promise<AuthContext> {
    return this.check(await this.present(headers, hit));
  }

  /**
   * The checks of {@link authenticate} that need no database, for a route whose own statement reads the token (and
   * counts `hit`): a request refused here is counted in a statement of its own.
   */
  async present(headers: PresentedHeaders, hit?: RateLimitHit): Promise<PendingAuth> {
    try {
      return { token: this.presentedBy(headers), hit };
    } catch (error) {
      await hit?.countAlone();
      throw error;
    }
  }

  /** The rest of {@link authenticate}: reads the token's row (counting the hit in the same statement) and judges it. */
  async check({ token, hit }: PendingAuth): Promise<AuthContext> {
    let state: TokenState | null;
    if (hit) {
      const found = await this.tokens.findForCountedRequest(token.tokenId, hit);
      hit.judge(found.counter);
      state = found.token;
    } else {
      state = await this.tokens.findForRequest(token.tokenId);
    }
    this.assertStands(token, state);
    return { ...token, deviceRowId: state.deviceId };
  }

  /**
   * After a statement that was to act for a pending request did not act: throws `rate_limited` if its hit was past the
   * limit, then the token's refusal if it does not stand. Returns when neither was the reason (the work itself was
   * refused, and its own reason is for the caller to explain).
   */
  explainRefusal({ token, hit }: PendingAuth, found: { token: TokenState | null; counter: CounterState | null }): void {
    if (hit && found.counter) hit.judge(found.counter);
    this.assertStands(token, found.token);
  }

  /**
   * Throws unless the stored `state` lets the presented token through: it exists, is the account's, was not revoked, and
   * has not expired. The row decides, not only the signed claims: with a leaked signing key, a token re-signed with a
   * later `exp` would otherwise outlive its record.
   */
  private assertStands(token: PresentedToken, state: TokenState | null): asserts state is TokenState {
    if (!state || state.accountId !== token.accountId) throw new DomainError('unauthorized', 'Unknown token.');
    if (state.revokedAt) throw new DomainError('token_revoked', 'This token was revoked; sign in again.');
    if (state.expired) throw new DomainError('unauthorized', 'The token has expired; sign in again.');
  }

  /** The same checks for a Socket.IO handshake, whose `auth` is `{accessToken, deviceId}` (never the query string). */
  async authenticateHandshake(auth: unknown): Promise<AuthContext> {
    const { accessToken, deviceId } = (auth ?? {}) as Partial<Record<keyof (AccountSocketAuth & AdminSocketAuth), unknown>>;
    // Said in the handshake's terms: a socket client sends no headers.
    if (typeof accessToken !== 'string') throw new DomainError('unauthorized', 'Send auth: {accessToken, deviceId} with the handshake.');
    return this.authenticate({
      authorization: `Bearer ${accessToken}`,
      deviceId: typeof deviceId === 'string' ? deviceId : undefined,
    });
  }

  /** The request's token, once its headers, its signature and its device binding hold: the checks that need no database. */
  private presentedBy(headers: PresentedHeaders): PresentedToken {
    // The scheme name is case-insensitive (RFC 9110 §11.1): "bearer" and "BEARER" are the same scheme.
    const match = /^Bearer +([A-Za-z0-9_=-]+\.[A-Za-z0-9_=-]+\.[A-Za-z0-9_=-]*)$/i.exec(headers.authorization ?? '');
    if (!match) throw new DomainError('unauthorized', 'Send "Authorization: Bearer <accessToken>".');
    if (headers.deviceId === undefined || !DEVICE_ID_PATTERN.test(headers.deviceId)) {
      throw new DomainError('validation_failed', 'X-Device-Id must be 8-128 characters of A-Z a-z 0-9 . _ : -');
    }
    if (headers.deviceType !== undefined && !isDeviceType(headers.deviceType)) {
      throw new DomainError('validation_failed', 'X-Device-Type must be one of ios, android, pc, web');
    }
    const claims = this.verify(match[1]);
    if (claims.did !== headers.deviceId || (headers.deviceType !== undefined && claims.dty !== headers.deviceType)) {
      throw new DomainError('device_mismatch', 'This token was issued to another device.');
    }
    return { tokenId: claims.jti, accountId: claims.sub, clientDeviceId: claims.did, deviceType: claims.dty };
  }

  /** Synchronous: with the key object made once, an HS256 check is a few microseconds, not worth a promise. */
  private verify(token: string): AccessTokenClaims {
    let claims: Partial<AccessTokenClaims>;
    try {
      claims = this.jwt.verify<AccessTokenClaims>(token, { algorithms: [ALGORITHM] });
    } catch (error) {
      const expired = (error as Error).name === 'TokenExpiredError';
      throw new DomainError('unauthorized', expired ? 'The token has expired; sign in again.' : 'The token is not valid.');
    }
    const wellFormed =
      typeof claims.sub === 'string' &&
      typeof claims.jti === 'string' &&
      /^[0-9a-f-]{36}$/.test(claims.jti) &&
      typeof claims.did === 'string' &&
      isDeviceType(claims.dty);
    if (!wellFormed) throw new DomainError('unauthorized', 'The token is not valid.');
    return claims as AccessTokenClaims;
  }
}
