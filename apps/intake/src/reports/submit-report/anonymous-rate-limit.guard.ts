import { Injectable, type ExecutionContext } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import { principalOf } from '@smp/auth';

/**
 * Anonymous reporting is rate-limited per client IP (429 with Retry-After);
 * callers with a valid API key are accountable and are not throttled here.
 */
@Injectable()
export class AnonymousRateLimitGuard extends ThrottlerGuard {
  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return principalOf(context.switchToHttp().getRequest()).kind === 'key';
  }
}
