import { IsInt, Max, Min } from 'class-validator';
import { CommonConfig, portSetting } from '@smp/config';

export class IntakeConfig extends CommonConfig {
  @portSetting()
  INTAKE_PORT: number = 3000;

  /** How often the outbox relay looks for rows when nothing woke it, in ms. */
  @IsInt()
  @Min(10)
  @Max(60_000)
  RELAY_POLL_MS: number = 250;
}
