import { applyDecorators, Body, Controller, Get, Header, HttpCode, Post, UseFilters } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Client, type ClientInfo } from '@app/common';
import { AppConfigService } from '@app/config';
import { RateLimit } from '@app/rate-limits';
import { DeviceGrantService, type DeviceAuthorizationResponse, type DeviceTokenResponse } from './device-grant.service';
import { DeviceAuthorizationRequest } from './dto/device-authorization.request';
import { DeviceAuthorizationResponseDto, DeviceTokenResponseDto, OAuthErrorResponse, OAuthServerMetadataResponse } from './dto/oauth.responses';
import { TokenRequest } from './dto/token.request';
import { OAuthErrorFilter } from './oauth-error.filter';
import { OAuthFormPipe } from './oauth-form.pipe';
import { oauthServerMetadata, type OAuthServerMetadata } from './oauth-metadata';

/**
 * Routes outside the `/api` prefix, where standard clients look for them. The two POST routes take form bodies
 * (`registerOAuthFormBodies`).
 */
export const OAUTH_ROUTES = [
  { path: '.well-known/oauth-authorization-server', method: 'GET' },
  { path: 'oauth/device_authorization', method: 'POST' },
  { path: 'oauth/token', method: 'POST' },
] as const;

/** What either form endpoint may answer besides its own errors (oauth-error.filter.ts). */
const ApiOAuthFormFailures = () =>
  applyDecorators(
    ApiResponse({ status: 413, type: OAuthErrorResponse, description: '`error`: `invalid_request`: the body is larger than BODY_LIMIT_BYTES' }),
    ApiResponse({ status: 500, type: OAuthErrorResponse, description: '`error`: `server_error`, with a correlation id in `error_description`' }),
    ApiResponse({
      status: 503,
      type: OAuthErrorResponse,
      description: '`error`: `temporarily_unavailable`: the database or the process is not serving now; retry later',
    }),
  );

// Typed as plain shapes, not the DTO classes, so that the global pipe (which refuses unknown fields) lets the form
// through to OAuthFormPipe (which ignores them, as RFC 6749 §3.1 asks).
type DeviceAuthorizationForm = Pick<DeviceAuthorizationRequest, 'client_id' | 'device_name'>;
type TokenForm = Pick<TokenRequest, 'grant_type' | 'device_code' | 'client_id'>;

/**
 * The OAuth 2.0 authorization server of the device grant (RFC 8628, contract §8): discovery (RFC 8414), the device
 * authorization endpoint and the token endpoint. Form-encoded requests, JSON answers that are never cached, and
 * `{error, error_description}` for every failure.
 */
@ApiTags('oauth')
@UseFilters(OAuthErrorFilter)
@Controller()
export class OAuthController {
  constructor(
    private readonly grants: DeviceGrantService,
    private readonly config: AppConfigService,
  ) {}

  @Get('.well-known/oauth-authorization-server')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Authorization server metadata (RFC 8414): where the device grant endpoints are' })
  @ApiOkResponse({ type: OAuthServerMetadataResponse })
  metadata(): OAuthServerMetadata {
    return oauthServerMetadata(this.config.publicUrl);
  }

  @Post('oauth/device_authorization')
  @HttpCode(200)
  @RateLimit('createQr')
  @Header('Cache-Control', 'no-store')
  @Header('Pragma', 'no-cache')
  @ApiOperation({
    summary: 'A CLI or TV asks to sign in (RFC 8628 §3.1): it gets a user code to show and a device code to poll with',
    description:
      'Creates a QR session for a new `pc` device. The phone types `user_code` (POST /api/qr-sessions/scan-code), then confirms or rejects as for a QR.',
  })
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiBody({ type: DeviceAuthorizationRequest })
  @ApiOkResponse({ type: DeviceAuthorizationResponseDto })
  @ApiBadRequestResponse({ type: OAuthErrorResponse, description: '`error`: `invalid_request`' })
  @ApiResponse({ status: 429, type: OAuthErrorResponse, description: '`error`: `rate_limited`, with Retry-After' })
  @ApiOAuthFormFailures()
  authorize(
    @Body(new OAuthFormPipe(DeviceAuthorizationRequest)) form: DeviceAuthorizationForm,
    @Client() client: ClientInfo,
  ): Promise<DeviceAuthorizationResponse> {
    return this.grants.authorize({ clientId: form.client_id, deviceName: form.device_name }, client);
  }

  @Post('oauth/token')
  @HttpCode(200)
  @RateLimit('watchQr')
  @Header('Cache-Control', 'no-store')
  @Header('Pragma', 'no-cache')
  @ApiOperation({
    summary: 'The client polls for its token (RFC 8628 §3.4-3.5)',
    description:
      'Answers the access token once, after the phone confirmed; until then `authorization_pending`, and `slow_down` (the interval grows by 5 s) when polled faster than the interval. Use the token with `X-Device-Id: device_id`.',
  })
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiBody({ type: TokenRequest })
  @ApiOkResponse({ type: DeviceTokenResponseDto })
  @ApiBadRequestResponse({
    type: OAuthErrorResponse,
    description:
      '`error`: `authorization_pending`, `slow_down`, `access_denied` (rejected or cancelled), `expired_token`, `invalid_grant` (unknown or already redeemed code), `invalid_client` (another client_id), `unsupported_grant_type`, `invalid_request`',
  })
  @ApiResponse({ status: 429, type: OAuthErrorResponse, description: '`error`: `slow_down`, with Retry-After: too many requests from this address' })
  @ApiOAuthFormFailures()
  token(@Body(new OAuthFormPipe(TokenRequest)) form: TokenForm): Promise<DeviceTokenResponse> {
    return this.grants.token({ grantType: form.grant_type, deviceCode: form.device_code, clientId: form.client_id });
  }
}
