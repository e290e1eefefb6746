import type { Provider, Type } from '@nestjs/common';
import { AUTH_SESSIONS_MODULE_OPTIONS } from '../auth-sessions.module-definition.js';
import { BackchannelLogoutController } from './backchannel-logout.controller.js';
import { IdpLogoutService } from './idp-logout.service.js';
import { IdpTokenVerifier } from './idp-token.verifier.js';
import { OidcController } from './oidc.controller.js';
import { OIDC_OPTIONS, resolveOidcOptions } from './oidc.options.js';
import { OidcProviders } from './oidc-providers.js';
import { OidcSignInService } from './oidc-sign-in.service.js';
import { RpLogoutService } from './rp-logout.service.js';
import { SharedSignalsController } from './shared-signals.controller.js';
import { SharedSignalsService } from './shared-signals.service.js';
import { SsoHousekeeping } from './sso-housekeeping.js';
import { SsoRepository } from './sso.repository.js';

// Everything single sign-on adds to AuthSessionsModule, in one place. Its routes exist in every
// host and answer 404 while `oidc` is unset.

/** The single sign-on controllers. */
export const SSO_CONTROLLERS: Type[] = [OidcController, BackchannelLogoutController, SharedSignalsController];

/** The single sign-on providers. */
export const SSO_PROVIDERS: Provider[] = [
  { provide: OIDC_OPTIONS, useFactory: resolveOidcOptions, inject: [AUTH_SESSIONS_MODULE_OPTIONS] },
  OidcProviders,
  SsoRepository,
  OidcSignInService,
  RpLogoutService,
  IdpTokenVerifier,
  IdpLogoutService,
  SharedSignalsService,
  SsoHousekeeping,
];
