import { HttpErrorResponse, HttpHeaders } from '@angular/common/http';
import { apiProblemOf, describeProblem } from './api-error';

function tooMany(retryAfter?: string): string {
  const headers = retryAfter === undefined ? new HttpHeaders() : new HttpHeaders({ 'Retry-After': retryAfter });
  return describeProblem(apiProblemOf(new HttpErrorResponse({ status: 429, headers, error: { statusCode: 429, code: 'rate_limited', message: 'x' } })));
}

describe('describeProblem', () => {
  it('should say a short wait in seconds (the per-IP limit) and a long one in minutes (an account locked for 15 minutes)', () => {
    expect(tooMany('1')).toBe('Too many attempts. Try again in 1 second.');
    expect(tooMany('42')).toBe('Too many attempts. Try again in 42 seconds.');
    expect(tooMany('899')).toBe('Too many attempts. Try again in 15 minutes.');
    expect(tooMany('121')).toBe('Too many attempts. Try again in 3 minutes.');
  });

  it('should say "shortly" without a usable Retry-After', () => {
    expect(tooMany()).toBe('Too many attempts. Try again shortly.');
    expect(tooMany('soon')).toBe('Too many attempts. Try again shortly.');
  });
});
