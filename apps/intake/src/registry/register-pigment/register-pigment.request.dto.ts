import { IsOptional, IsString, Length } from 'class-validator';

export class RegisterPigmentRequestDto {
  @IsString()
  @Length(1, 200)
  manufacturer: string;

  @IsString()
  @Length(1, 200)
  product: string;

  @IsOptional()
  @IsString()
  @Length(1, 100)
  shade?: string;

  @IsString()
  @Length(1, 100)
  batch: string;
}
