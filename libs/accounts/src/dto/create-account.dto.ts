import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, Matches } from 'class-validator';
import { PRINTABLE_TEXT_PATTERN } from '@app/contract';

export const USERNAME_PATTERN = /^[a-z0-9._-]{3,64}$/;

export class CreateAccountDto {
  @ApiProperty({ example: 'alice', pattern: '^[a-z0-9._-]{3,64}$' })
  @IsString()
  @Matches(USERNAME_PATTERN, { message: 'username must be 3-64 characters of a-z, 0-9, ".", "_" and "-"' })
  username: string;

  @ApiProperty({
    minLength: 8,
    maxLength: 256,
    example: 'correct horse battery',
    description:
      'Refused (validation_failed) when easy to guess: common passwords, words, keyboard patterns, repeats, or close to the username or display name (zxcvbn score below 3).',
  })
  @IsString()
  @Length(8, 256, { message: 'password must be 8-256 characters' })
  password: string;

  @ApiPropertyOptional({ minLength: 1, maxLength: 100, example: 'Alice', description: 'Defaults to the username.' })
  @IsOptional()
  @IsString()
  @Length(1, 100, { message: 'displayName must be 1-100 characters' })
  @Matches(PRINTABLE_TEXT_PATTERN, { message: 'displayName must not contain control or format characters' })
  displayName?: string;
}
