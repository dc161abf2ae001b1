import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';
import { USER_CODE_INPUT_PATTERN } from '../user-codes';

/** `POST /api/qr-sessions/scan-code`: the phone types the code that a CLI or TV shows. */
export class ScanCodeDto {
  @ApiProperty({ example: 'WDJB-MJHT', description: 'The user code: 8 letters of BCDFGHJKLMNPQRSTVWXZ, any case, with or without the dash.' })
  @IsString()
  @Matches(USER_CODE_INPUT_PATTERN, { message: 'userCode must be 8 letters of BCDFGHJKLMNPQRSTVWXZ, like WDJB-MJHT' })
  userCode: string;
}
