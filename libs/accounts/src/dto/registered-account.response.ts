import { ApiProperty } from '@nestjs/swagger';

export class RegisteredAccountResponse {
  @ApiProperty({ format: 'uuid' })
  accountId: string;

  @ApiProperty({ example: 'alice' })
  username: string;

  @ApiProperty({ example: 'Alice' })
  displayName: string;
}
