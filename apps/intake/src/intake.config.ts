import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { CommonConfig, portSetting } from '@smp/config';

export class IntakeConfig extends CommonConfig {
  @portSetting()
  INTAKE_PORT: number = 3000;

  /** How often the outbox relay looks for rows when nothing woke it, in ms. */
  @IsInt()
  @Min(10)
  @Max(60_000)
  RELAY_POLL_MS: number = 250;

  /** Public holidays that do not count as business days for reporting deadlines: comma-separated YYYY-MM-DD. */
  @Matches(/^(\d{4}-\d{2}-\d{2}(,\d{4}-\d{2}-\d{2})*)?$/, { message: 'must be a comma-separated list of YYYY-MM-DD dates' })
  SMP_PUBLIC_HOLIDAYS: string = '';

  get publicHolidays(): ReadonlySet<string> {
    return new Set(this.SMP_PUBLIC_HOLIDAYS.split(',').filter(Boolean));
  }

  /** The first admin key (at least 24 characters). Unset: keys come from the CLI or an existing admin. */
  @IsOptional()
  @Matches(/^[\w-]{24,200}$/, { message: 'must be 24-200 letters, digits, dashes or underscores' })
  SMP_ADMIN_KEY: string = '';

  /** Anonymous reports accepted per client IP per minute. */
  @IsInt()
  @Min(1)
  @Max(100_000)
  ANONYMOUS_REPORTS_PER_MINUTE: number = 30;
}
