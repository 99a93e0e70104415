/**
 * Runs at most `limit` tasks at once, the rest in arrival order: on a small machine many large computations at once
 * only share the CPU worse and hold all their data in memory together. A finishing task hands its turn straight to
 * the first waiter, so the count never overshoots.
 */
export class Limiter {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
