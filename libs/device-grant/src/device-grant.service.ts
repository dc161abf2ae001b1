import { Injectable } from '@nestjs/common';
import { DomainError, hashesEqual, newPublicId, sha256Hex, type ClientInfo } from '@app/common';
import { AppConfigService } from '@app/config';
import { DEVICE_VERIFICATION_PATH, type ScanCodeResult } from '@app/contract';
import { QrSessionsService } from '@app/qr-sessions';
import { RateLimiter } from '@app/rate-limits';
import type { AuthContext } from '@app/tokens';
import { DEFAULT_POLL_INTERVAL_SECONDS } from './device-authorization.entity';
import { DeviceAuthorizationsRepository, isUserCodeClash } from './device-authorizations.repository';
import { DEVICE_CODE_GRANT_TYPE } from './oauth-metadata';
import { OAuthError } from './oauth.error';
import { formatUserCode, newUserCode, normaliseUserCode, userCodeHash } from './user-codes';

/** The answer of `POST /oauth/device_authorization` (RFC 8628 §3.2), plus the session id for a Socket.IO watcher. */
export interface DeviceAuthorizationResponse {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  expires_in: number;
  interval: number;
  /** Not in RFC 8628: the QR session's id, to watch it on Socket.IO (`auth: {qrId, secret: device_code}`) or by long-poll. */
  qr_session_id: string;
}

/** The answer of `POST /oauth/token` (RFC 6749 §5.1) once the phone confirmed. */
export interface DeviceTokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  /** The device the token is bound to: send it as `X-Device-Id` (its type is `pc`). */
  device_id: string;
}

/** How often a clash of a fresh user code with a live one is drawn again before giving up (each is ~1e-6 likely). */
const USER_CODE_ATTEMPTS = 5;

/**
 * The OAuth 2.0 Device Authorization Grant (RFC 8628) on top of QR sessions: a device authorization is a QR session
 * created for a `pc` device, its device code is the session's secret, the phone approves it through the usual
 * scan/confirm/reject (finding it by the user code), and the token endpoint hands out the token the confirmation
 * minted for that device.
 */
@Injectable()
export class DeviceGrantService {
  constructor(
    private readonly sessions: QrSessionsService,
    private readonly grants: DeviceAuthorizationsRepository,
    private readonly limiter: RateLimiter,
    private readonly config: AppConfigService,
  ) {}

  async authorize(request: { clientId: string; deviceName?: string }, client: ClientInfo): Promise<DeviceAuthorizationResponse> {
    // The client names no device of its own: each authorization signs in a new one, and the token answer says its id.
    const device = { id: `oauth-${newPublicId()}`, type: 'pc' as const, name: request.deviceName ?? request.clientId };
    for (let attempt = 1; ; attempt++) {
      const userCode = newUserCode();
      try {
        const { session, secret } = await this.sessions.createAttached(device, client, (manager, row) =>
          this.grants.insert(manager, {
            qrSessionId: row.id,
            clientId: request.clientId,
            userCodeHash: userCodeHash(normaliseUserCode(userCode)!),
            deviceCodeHash: row.secretHash,
          }),
        );
        const verificationUri = `${this.config.publicUrl}${DEVICE_VERIFICATION_PATH}`;
        return {
          device_code: secret,
          user_code: userCode,
          verification_uri: verificationUri,
          verification_uri_complete: `${verificationUri}?user_code=${userCode}`,
          expires_in: Math.max(0, Math.round((session.expiresAt.getTime() - Date.now()) / 1000)),
          interval: DEFAULT_POLL_INTERVAL_SECONDS,
          qr_session_id: session.id,
        };
      } catch (error) {
        if (!isUserCodeClash(error) || attempt >= USER_CODE_ATTEMPTS) throw error;
      }
    }
  }

  /** The token endpoint (RFC 8628 §3.4-3.5). Every refusal is an OAuthError with the RFC's code. */
  async token(request: { grantType: string; deviceCode: string; clientId: string }): Promise<DeviceTokenResponse> {
    if (request.grantType !== DEVICE_CODE_GRANT_TYPE) {
      throw new OAuthError('unsupported_grant_type', `Only grant_type=${DEVICE_CODE_GRANT_TYPE} is supported.`);
    }
    const hash = sha256Hex(request.deviceCode);
    const grant = await this.grants.findByDeviceCodeHash(hash);
    if (!grant || !hashesEqual(grant.deviceCodeHash, hash)) {
      throw new OAuthError('invalid_grant', 'Unknown device_code.');
    }
    if (grant.clientId !== request.clientId) {
      throw new OAuthError('invalid_client', 'This device_code was issued to another client_id.');
    }
    if (grant.tokenIssuedAt) throw new OAuthError('invalid_grant', 'This device_code was already redeemed.');
    // The device code is the session's secret: the same check, expiry on the spot and snapshot as for a desktop.
    const snapshot = await this.sessions.snapshotFor(grant.qrSessionId, request.deviceCode);
    switch (snapshot.status) {
      case 'pending':
      case 'scanned':
        // Only a request still pending is held to the pace (`slow_down` is a kind of `authorization_pending`, RFC
        // 8628 §3.5): an answer that ends the polling is given whenever it is asked for, so a client that fell out of
        // step still gets its token, or its refusal, at its next poll.
        await this.holdToPace(grant.qrSessionId);
        throw new OAuthError('authorization_pending', 'The user has not approved the request yet.');
      case 'rejected':
        throw new OAuthError('access_denied', 'The user rejected the request on their phone.');
      case 'cancelled':
        throw new OAuthError('access_denied', 'The request was cancelled.');
      case 'expired':
        throw new OAuthError('expired_token', 'The device_code has expired; start over.');
    }
    // Confirmed. The token was minted at confirmation; it can be picked up as long as a desktop could pick up its own.
    if (!snapshot.login) throw new OAuthError('expired_token', 'The sign-in is no longer available; start over.');
    if (!(await this.grants.markTokenIssued(grant.qrSessionId))) {
      throw new OAuthError('invalid_grant', 'This device_code was already redeemed.');
    }
    const login = snapshot.login;
    return {
      access_token: login.accessToken,
      token_type: 'Bearer',
      expires_in: Math.max(0, Math.floor((Date.parse(login.expiresAt) - Date.now()) / 1000)),
      device_id: login.device.id,
    };
  }

  private async holdToPace(qrSessionId: string): Promise<void> {
    const pace = await this.grants.notePoll(qrSessionId);
    if (!pace) throw new OAuthError('invalid_grant', 'Unknown device_code.');
    if (pace.tooFast) {
      throw new OAuthError('slow_down', `Polled faster than the interval: wait ${pace.intervalSeconds} s between requests from now on.`);
    }
  }

  /**
   * A signed-in phone types the code that the client shows: found by its hash, then scanned like a QR. Guessing is
   * limited per address (the route's policy) and per account (here), and a guess costs as much as a hit.
   */
  async scanCode(userCode: string, auth: AuthContext, client: ClientInfo): Promise<ScanCodeResult> {
    await this.limiter.consumeForAccount('scanCode', auth.accountId);
    const canonical = normaliseUserCode(userCode);
    const hash = canonical ? userCodeHash(canonical) : null;
    const grant = hash ? await this.grants.findByUserCodeHash(hash) : null;
    if (!grant || !hash || !hashesEqual(grant.userCodeHash, hash)) {
      throw new DomainError('qr_not_found', `No sign-in request has the code ${canonical ? formatUserCode(canonical) : 'given'}.`);
    }
    // The guard checked the token already; the scan's statement reads it again as it acts, which costs an index lookup.
    const scanned = await this.sessions.scan(grant.qrSessionId, { token: auth }, client);
    return { ...scanned, requester: { ...scanned.requester, clientId: grant.clientId, userCode: formatUserCode(canonical!) } };
  }
}
