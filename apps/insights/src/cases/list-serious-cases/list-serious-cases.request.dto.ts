import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional } from 'class-validator';
import { IsCalendarDate, IsIdentifier } from '@smp/http';
import { PageRequestDto } from '../../read-model/paging.js';

export const CASE_STATUSES = ['overdue', 'due', 'nullified'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

const toBoolean = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

/** The filters, and the page (cases come a page at a time: see PageRequestDto). */
export class ListSeriousCasesRequestDto extends PageRequestDto {
  @ApiPropertyOptional({ default: true, description: 'Serious cases only (the ones with a legal deadline)' })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean({ message: 'serious must be true or false' })
  serious?: boolean;

  @ApiPropertyOptional({ example: '2026-12-31', description: 'Only cases due before this date, YYYY-MM-DD' })
  @IsOptional()
  @IsCalendarDate()
  dueBefore?: string;

  @ApiPropertyOptional({ example: 'CLN-00001' })
  @IsOptional()
  @IsIdentifier()
  clinicId?: string;

  @ApiPropertyOptional({ enum: CASE_STATUSES, description: 'Default: overdue and due (nullified cases need no report)' })
  @IsOptional()
  @IsIn(CASE_STATUSES, { message: `status must be one of ${CASE_STATUSES.join(', ')}` })
  status?: CaseStatus;
}
