import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsInt, IsOptional, Max, Min, ValidateNested } from 'class-validator';
import { IsCalendarDate, IsIdentifier } from '@smp/http';

export class ProcedureEntryDto {
  @IsCalendarDate()
  date: string;

  @IsIdentifier()
  pigmentId: string;

  /** How many procedures of this kind the clinic performed that day. */
  @IsInt()
  @Min(1)
  @Max(10_000)
  count: number;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(20)
  sessionNumber?: number;
}

export class RecordProceduresRequestDto {
  @IsArray()
  @ArrayMinSize(1, { message: 'procedures must list at least one entry' })
  @ArrayMaxSize(1_000, { message: 'procedures must list at most 1,000 entries per call' })
  @ValidateNested({ each: true })
  @Type(() => ProcedureEntryDto)
  procedures: ProcedureEntryDto[];
}
