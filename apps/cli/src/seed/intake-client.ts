/** A problem-details answer from intake, with its status and body, as an error. */
export class IntakeRequestError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    what: string,
  ) {
    const detail = (body as { detail?: string; errors?: unknown } | undefined)?.detail;
    const errors = (body as { errors?: unknown } | undefined)?.errors;
    super(`${what} failed: HTTP ${status}${detail ? ` ${detail}` : ''}${errors ? ` ${JSON.stringify(errors)}` : ''}`);
  }
}

/**
 * JSON over HTTP to the intake API, the way any client would drive it. Retries
 * network failures and 5xx/429 answers a few times (the seeder sends an
 * Idempotency-Key with each report, so a retry never stores a case twice).
 */
export class IntakeClient {
  constructor(
    readonly baseUrl: string,
    private readonly adminKey: string,
  ) {}

  async post<T>(
    path: string,
    body: unknown /** `key`: another API key than the admin's, or null for none (e.g. a client with a follow-up token). */,
    options: { key?: string | null; headers?: Record<string, string>; what?: string } = {},
  ): Promise<T> {
    const what = options.what ?? `POST ${path}`;
    for (let attempt = 1; ; attempt += 1) {
      let response: Response;
      try {
        response = await fetch(`${this.baseUrl}${path}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(options.key === null ? {} : { authorization: `Bearer ${options.key ?? this.adminKey}` }),
            ...options.headers,
          },
          body: JSON.stringify(body),
        });
      } catch (error) {
        if (attempt < 5) {
          await pause(attempt);
          continue;
        }
        throw new Error(`${what} failed: intake at ${this.baseUrl} is not answering (${(error as Error).message})`, { cause: error });
      }
      const text = await response.text();
      const parsed: unknown = text ? JSON.parse(text) : undefined;
      if (response.ok) return parsed as T;
      if ((response.status >= 500 || response.status === 429) && attempt < 5) {
        await pause(attempt);
        continue;
      }
      throw new IntakeRequestError(response.status, parsed, what);
    }
  }
}

function pause(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 200 * 2 ** attempt));
}

/** Runs `work` over `items` with at most `concurrency` in flight; stops at the first failure. */
export async function inParallel<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed: unknown;
  const worker = async () => {
    while (failed === undefined && next < items.length) {
      const item = items[next++]!;
      try {
        await work(item);
      } catch (error) {
        failed ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  if (failed !== undefined) throw failed;
}
