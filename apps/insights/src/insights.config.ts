import { IsInt, Matches, Max, Min } from 'class-validator';
import { CommonConfig, portSetting } from '@smp/config';

export class InsightsConfig extends CommonConfig {
  @portSetting()
  INSIGHTS_PORT: number = 3001;

  /**
   * Memory for answers kept until the read models change (their gzipped JSON); 0 keeps none.
   */
  @IsInt()
  @Min(0)
  @Max(2_000_000_000)
  INSIGHTS_CACHE_BYTES: number = 16_000_000;

  /**
   * Heap for the parts cached answers are computed from (a period's funnel of every clinic, its signal table…), by
   * estimate; 0 computes them afresh for each answer.
   */
  @IsInt()
  @Min(0)
  @Max(2_000_000_000)
  INSIGHTS_PART_BYTES: number = 8_000_000;

  /**
   * Memory for the read models held as monthly arrays (every clinic's and every pigment's figures a year at a time,
   * 64 bytes per clinic-month); 0 loads them afresh for each answer.
   */
  @IsInt()
  @Min(0)
  @Max(8_000_000_000)
  INSIGHTS_TALLY_BYTES: number = 128_000_000;

  /** At most one new cache version per this many ms while the read models keep changing; answers lag by at most this. */
  @IsInt()
  @Min(0)
  @Max(60_000)
  INSIGHTS_CACHE_WINDOW_MS: number = 200;

  /** Answers computed at once; more requests wait their turn (bounds CPU contention and memory). */
  @IsInt()
  @Min(1)
  @Max(64)
  INSIGHTS_QUERY_CONCURRENCY: number = 4;

  /** Where browsers reach intake (the dashboard's report form and procedure upload call it). */
  @Matches(/^https?:\/\/[a-z0-9.-]+(:\d{1,5})?(\/[\w.~/-]*)?$/i, { message: 'must be an http(s) URL such as http://127.0.0.1:3000' })
  INTAKE_PUBLIC_URL: string = 'http://127.0.0.1:3000';
}
