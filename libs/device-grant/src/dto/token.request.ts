import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, Matches, ValidateIf } from 'class-validator';
import { DEVICE_CODE_GRANT_TYPE } from '../oauth-metadata';
import { CLIENT_ID_PATTERN } from './device-authorization.request';

/** Another grant's parameters are not this one's to judge: it is answered `unsupported_grant_type` (RFC 6749 §5.2). */
const isDeviceCodeGrant = (form: TokenRequest) => form.grant_type === DEVICE_CODE_GRANT_TYPE;

/** `POST /oauth/token` with the device code grant (RFC 8628 §3.4), form-encoded. */
export class TokenRequest {
  @ApiProperty({ example: DEVICE_CODE_GRANT_TYPE, description: `Only ${DEVICE_CODE_GRANT_TYPE}; another value answers unsupported_grant_type.` })
  @IsString({ message: 'grant_type is required' })
  grant_type: string;

  @ApiProperty({ description: 'The device_code of the device authorization answer.' })
  @ValidateIf(isDeviceCodeGrant)
  @IsString({ message: 'device_code is required' })
  @Length(1, 256, { message: 'device_code must be the device_code of the device authorization answer' })
  device_code: string;

  @ApiProperty({ example: 'my-cli', description: 'The client_id of the device authorization request.' })
  @ValidateIf(isDeviceCodeGrant)
  @IsString({ message: 'client_id is required' })
  @Matches(CLIENT_ID_PATTERN, { message: 'client_id must be 1-64 characters of A-Z a-z 0-9 . _ : -' })
  client_id: string;
}
