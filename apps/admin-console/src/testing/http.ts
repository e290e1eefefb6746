import type { HttpTestingController, TestRequest } from '@angular/common/http/testing';

export interface RequestMatch {
  method?: string;
  /** The full URL with its query, or a pattern for it. */
  url: string | RegExp;
}

/**
 * Waits until the app has sent a matching request, and returns it for the test to answer.
 * Harness actions wait for the app to be stable, and an unanswered request keeps it unstable, so a test
 * starts the action, answers its requests through this, then awaits the action.
 */
export async function nextRequest(http: HttpTestingController, match: RequestMatch, timeoutMs = 2000): Promise<TestRequest> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [found] = http.match(
      (req) =>
        (!match.method || req.method === match.method) && (typeof match.url === 'string' ? req.urlWithParams === match.url : match.url.test(req.urlWithParams)),
    );
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no ${match.method ?? ''} request to ${String(match.url)} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The body of an API error, as the contract shapes it. */
export function problem(statusCode: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { statusCode, message: `HTTP ${statusCode}`, ...extra };
}
