import { RequesterResponse, ScanResultResponse } from '@app/qr-sessions';
import { ApiProperty, OmitType } from '@nestjs/swagger';
import type { ScanCodeResult } from '@app/contract';
import { OAUTH_ERRORS, type OAuthErrorBody, type OAuthErrorCode } from '../oauth.error';
import type { OAuthServerMetadata } from '../oauth-metadata';
import type { DeviceAuthorizationResponse, DeviceTokenResponse } from '../device-grant.service';

export class OAuthServerMetadataResponse implements OAuthServerMetadata {
  @ApiProperty({ example: 'http://localhost:3000', description: 'PUBLIC_URL.' })
  issuer: string;

  @ApiProperty({ example: 'http://localhost:3000/oauth/device_authorization' })
  device_authorization_endpoint: string;

  @ApiProperty({ example: 'http://localhost:3000/oauth/token' })
  token_endpoint: string;

  @ApiProperty({ example: ['urn:ietf:params:oauth:grant-type:device_code'] })
  grant_types_supported: string[];

  @ApiProperty({ example: ['none'], description: 'Public clients: no client authentication.' })
  token_endpoint_auth_methods_supported: string[];

  @ApiProperty({ example: [], description: 'Empty: there is no authorization endpoint.' })
  response_types_supported: string[];

  @ApiProperty({ example: 'http://localhost:3000/api/docs' })
  service_documentation: string;
}

export class DeviceAuthorizationResponseDto implements DeviceAuthorizationResponse {
  @ApiProperty({ description: "The secret to poll the token endpoint with (it is the QR session's secret). Never show it." })
  device_code: string;

  @ApiProperty({ example: 'WDJB-MJHT', description: '8 letters of BCDFGHJKLMNPQRSTVWXZ: show it to the user, who types it on the phone.' })
  user_code: string;

  @ApiProperty({ example: 'http://localhost:3000/device' })
  verification_uri: string;

  @ApiProperty({
    example: 'http://localhost:3000/device?user_code=WDJB-MJHT',
    description: 'Carries the code: show it as a QR code; the app scans it like a QR login.',
  })
  verification_uri_complete: string;

  @ApiProperty({ example: 120, description: 'QR_TTL_SECONDS: the codes expire then.' })
  expires_in: number;

  @ApiProperty({ example: 5, description: 'Seconds to wait between token requests.' })
  interval: number;

  @ApiProperty({
    example: 'JFZwdLT_98zU28qg6cAaaw',
    description: 'Extension: the QR session, to watch on Socket.IO (/qr, auth {qrId, secret: device_code}) or by long-poll.',
  })
  qr_session_id: string;
}

export class DeviceTokenResponseDto implements DeviceTokenResponse {
  @ApiProperty({ description: 'Send as Authorization: Bearer, together with X-Device-Id: device_id.' })
  access_token: string;

  @ApiProperty({ enum: ['Bearer'] })
  token_type: 'Bearer';

  @ApiProperty({ example: 2591990, description: 'Seconds until the token expires.' })
  expires_in: number;

  @ApiProperty({ example: 'oauth-JFZwdLT_98zU28qg6cAaaw', description: 'The device the token is bound to (type pc).' })
  device_id: string;
}

export class OAuthErrorResponse implements OAuthErrorBody {
  @ApiProperty({ enum: OAUTH_ERRORS })
  error: OAuthErrorCode;

  @ApiProperty({ example: 'The user has not approved the request yet.' })
  error_description: string;
}

/**
 * The requester of a device grant: the scan's requester (its device name is the request's device_name, else its
 * client_id), and the client that asked.
 */
class CodeRequesterResponse extends RequesterResponse {
  @ApiProperty({ example: 'my-cli', description: 'The OAuth client_id that asked.' })
  clientId: string;

  @ApiProperty({ example: 'WDJB-MJHT', description: 'The user code as the device shows it: the user should see the same on its screen.' })
  userCode: string;
}

/** The scan answer of contract §3 for a session found by its user code; `id` is the session id to confirm or reject. */
export class ScanCodeResultResponse extends OmitType(ScanResultResponse, ['requester'] as const) implements ScanCodeResult {
  @ApiProperty({ type: CodeRequesterResponse, description: 'Who asks: show it to the user before they confirm.' })
  requester: CodeRequesterResponse;
}
