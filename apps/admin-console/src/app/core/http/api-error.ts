import { HttpErrorResponse } from '@angular/common/http';
import { isSessionEndReason, type SessionEndReason } from '../../shared/sessions/session';

/** The contract's error body, read defensively: any field may be missing. */
export interface ApiProblem {
  /** 0 when the server could not be reached. */
  status: number;
  code?: string;
  reason?: SessionEndReason;
  message: string;
  /** Seconds from a 429's Retry-After header. */
  retryAfterSeconds?: number;
}

export function apiProblemOf(error: unknown): ApiProblem {
  if (!(error instanceof HttpErrorResponse)) {
    return { status: -1, message: error instanceof Error ? error.message : 'Something went wrong.' };
  }
  const body: unknown = error.error;
  const record = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const rawMessage = record['message'];
  const message = Array.isArray(rawMessage)
    ? rawMessage.filter((part) => typeof part === 'string').join(' ')
    : typeof rawMessage === 'string'
      ? rawMessage
      : defaultMessage(error.status);
  const problem: ApiProblem = { status: error.status, message };
  if (typeof record['code'] === 'string') problem.code = record['code'];
  if (isSessionEndReason(record['reason'])) problem.reason = record['reason'];
  const retryAfter = Number(error.headers?.get('Retry-After'));
  if (Number.isFinite(retryAfter) && retryAfter > 0) problem.retryAfterSeconds = retryAfter;
  return problem;
}

/** A sentence for a snackbar or a form error. */
export function describeProblem(problem: ApiProblem): string {
  if (problem.status === 0) return 'The server could not be reached. Check your connection and try again.';
  if (problem.status === 429) {
    return problem.retryAfterSeconds ? `Too many attempts. Try again in ${waitOf(problem.retryAfterSeconds)}.` : 'Too many attempts. Try again shortly.';
  }
  if (problem.status >= 500) return 'The server could not complete the request; nothing was changed. Try again shortly.';
  return problem.message;
}

/** A wait as people say it: seconds up to two minutes (a per-IP limit), whole minutes after (an account's, 15 minutes). */
function waitOf(seconds: number): string {
  if (seconds < 120) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  return `${Math.ceil(seconds / 60)} minutes`;
}

function defaultMessage(status: number): string {
  if (status === 0) return 'The server could not be reached.';
  return `The request failed (HTTP ${status}).`;
}
