import pRetry, { AbortError } from 'p-retry';

export interface RetryOptions {
  /** Attempts per delivery, the first included. */
  attempts: number;
  minBackoffMs: number;
  maxBackoffMs: number;
  timeoutMs: number;
}

export const defaultRetryOptions: RetryOptions = {
  attempts: 5,
  minBackoffMs: 500,
  maxBackoffMs: 30_000,
  timeoutMs: 5_000,
};

export interface PostOutcome {
  ok: boolean;
  attempts: number;
  status?: number;
  error?: string;
}

/**
 * POSTs a JSON body, retrying with exponential backoff (p-retry) on network errors and 5xx/429; a 4xx
 * other than 429 will not get better and is not retried. Never throws: the outcome says what happened.
 * `headers` is asked again at every attempt (a signature carries the time it was made).
 */
export async function postWithRetry(
  url: string,
  body: string,
  options: RetryOptions,
  headers: () => Record<string, string> = () => ({}),
): Promise<PostOutcome> {
  let attempts = 0;
  let status: number | undefined;
  try {
    await pRetry(
      async () => {
        attempts += 1;
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers() },
          body,
          signal: AbortSignal.timeout(options.timeoutMs),
        });
        status = response.status;
        await response.body?.cancel();
        if (response.ok) return;
        const error = new Error(`HTTP ${response.status}`);
        if (response.status >= 400 && response.status < 500 && response.status !== 429)
          throw new AbortError(error);
        throw error;
      },
      {
        retries: options.attempts - 1,
        minTimeout: options.minBackoffMs,
        maxTimeout: options.maxBackoffMs,
        factor: 2,
      },
    );
    return { ok: true, attempts, ...(status ? { status } : {}) };
  } catch (error) {
    return {
      ok: false,
      attempts,
      ...(status ? { status } : {}),
      error: error instanceof Error ? error.message : String(error),
    };
  }
}
