import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDefined, IsObject, IsString, Length, ValidateNested } from 'class-validator';
import { DeviceDto } from '@app/devices';

export class LoginDto {
  @ApiProperty({ example: 'alice' })
  @IsString()
  @Length(1, 64)
  username: string;

  @ApiProperty({ example: 'correct horse battery' })
  @IsString()
  @Length(1, 256)
  password: string;

  @ApiProperty({ type: DeviceDto, description: 'The device signing in: the token will be bound to it.' })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => DeviceDto)
  device: DeviceDto;
}
