import { HttpException, HttpStatus, NotFoundException } from '@nestjs/common';

/** 404 on every single sign-on route when SSO is not configured. */
export class SsoDisabledError extends NotFoundException {
  constructor() {
    super({ statusCode: HttpStatus.NOT_FOUND, message: 'Single sign-on is not configured on this server.' });
  }
}

/** 503 while the provider's discovery document has not been read (the provider was unreachable); retried in the background. */
export class SsoUnavailableError extends HttpException {
  constructor() {
    super(
      {
        statusCode: HttpStatus.SERVICE_UNAVAILABLE,
        message: 'Single sign-on is not available yet: the identity provider has not answered. Try again shortly.',
        code: 'sso_unavailable',
      },
      HttpStatus.SERVICE_UNAVAILABLE,
    );
  }
}

/**
 * A logout token or Security Event Token that must be refused (bad signature, wrong issuer or
 * audience, too old, replayed, malformed). `description` goes to the sender; it names the failed
 * check and never echoes token contents.
 */
export class IdpTokenRejectedError extends Error {
  constructor(readonly description: string) {
    super(description);
    this.name = 'IdpTokenRejectedError';
  }
}

/** A sign-in callback that cannot open a session; `detail` is logged, the browser only sees `sso_failed`. */
export class SsoSignInFailedError extends Error {
  constructor(
    readonly detail: string,
    /** The provider's own `error` code, passed on to the login page. */
    readonly providerError: string | null = null,
  ) {
    super(detail);
    this.name = 'SsoSignInFailedError';
  }
}
