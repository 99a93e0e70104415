import { IsInt, IsString, Max, Min } from 'class-validator';
import { CommonConfig, portSetting } from '@smp/config';

export class ProjectorConfig extends CommonConfig {
  /** Health (and metrics) port of the projector. */
  @portSetting()
  PROJECTOR_PORT: number = 3002;

  @IsString()
  PROJECTOR_GROUP_ID: string = 'smp-projector';

  /** Attempts at a failing batch before its events are tried one by one and poison ones dead-lettered. */
  @IsInt()
  @Min(1)
  @Max(20)
  PROJECTOR_MAX_ATTEMPTS: number = 3;

  /**
   * How long the group waits for a silent member before handing its partitions
   * to the others: a killed instance holds its partitions this long.
   */
  @IsInt()
  @Min(6_000)
  @Max(300_000)
  PROJECTOR_SESSION_TIMEOUT_MS: number = 10_000;

  /** How often the pigment × category signals are re-evaluated (and raised or cleared on smp.signals.v1). */
  @IsInt()
  @Min(200)
  @Max(3_600_000)
  SIGNAL_EVALUATION_MS: number = 5_000;
}
