import { IsInt, Max, Min } from 'class-validator';
import { CommonConfig, portSetting } from '@smp/config';

export class InsightsConfig extends CommonConfig {
  @portSetting()
  INSIGHTS_PORT: number = 3001;

  /** Memory for answers kept until the read models change (bytes of JSON); 0 turns the cache off. */
  @IsInt()
  @Min(0)
  @Max(2_000_000_000)
  INSIGHTS_CACHE_BYTES: number = 32_000_000;

  /** At most one new cache version per this many ms while the read models keep changing; answers lag by at most this. */
  @IsInt()
  @Min(0)
  @Max(60_000)
  INSIGHTS_CACHE_WINDOW_MS: number = 200;

}
