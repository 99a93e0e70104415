import { ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { PageRequestDto } from '../../read-model/paging.js';
import { StatsFilterDto } from '../../read-model/stats-filter.dto.js';

export const SIGNALLING = ['any', 'evans', 'ror', 'ic', 'none'] as const;
export const SIGNAL_SORTS = ['prr', 'ror', 'ic', 'a'] as const;
export const SORT_ORDERS = ['desc', 'asc'] as const;

/** The filters, the order, and the page (signals come a page at a time: see PageRequestDto). */
export class ListSignalsRequestDto extends IntersectionType(StatsFilterDto, PageRequestDto) {
  @ApiPropertyOptional({ enum: SIGNALLING, description: 'Only rows meeting this criterion (any: at least one; none: none)' })
  @IsOptional()
  @IsIn(SIGNALLING, { message: `signalling must be one of ${SIGNALLING.join(', ')}` })
  signalling?: (typeof SIGNALLING)[number];

  @ApiPropertyOptional({ enum: SIGNAL_SORTS, default: 'prr' })
  @IsOptional()
  @IsIn(SIGNAL_SORTS, { message: `sort must be one of ${SIGNAL_SORTS.join(', ')}` })
  sort?: (typeof SIGNAL_SORTS)[number];

  @ApiPropertyOptional({ enum: SORT_ORDERS, default: 'desc' })
  @IsOptional()
  @IsIn(SORT_ORDERS, { message: `order must be one of ${SORT_ORDERS.join(', ')}` })
  order?: (typeof SORT_ORDERS)[number];
}
