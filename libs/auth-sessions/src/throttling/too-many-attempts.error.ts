import { HttpException, HttpStatus } from '@nestjs/common';

/** 429 with the seconds to wait; the library's guards also send them as `Retry-After`. */
export class TooManyAttemptsError extends HttpException {
  constructor(readonly retryAfterSeconds: number) {
    super(
      { statusCode: HttpStatus.TOO_MANY_REQUESTS, message: `Too many attempts; try again in ${retryAfterSeconds} seconds.`, code: 'rate_limited' },
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}
