import { BadRequestException, HttpException, HttpStatus, NotFoundException } from '@nestjs/common';

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

/** 400: `reauth=1` from a request whose session did not come from this provider (it has nothing to confirm there). */
export class SsoReauthNotPossibleError extends BadRequestException {
  constructor() {
    super({
      statusCode: HttpStatus.BAD_REQUEST,
      message: 'Only a session signed in through single sign-on can be confirmed at the identity provider; confirm with your password.',
      code: 'sso_reauth_not_possible',
    });
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
