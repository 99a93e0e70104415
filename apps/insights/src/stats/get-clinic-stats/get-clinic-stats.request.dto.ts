import { IntersectionType } from '@nestjs/swagger';
import { PageRequestDto } from '../../read-model/paging.js';
import { StatsFilterDto } from '../../read-model/stats-filter.dto.js';

/** The filters, and the page of rows (clinic × category points come a page at a time: see PageRequestDto). */
export class ClinicStatsRequestDto extends IntersectionType(StatsFilterDto, PageRequestDto) {}
