#!/usr/bin/env node
// `npm run idp`: the throwaway OpenID Provider of the end-to-end tests (oidc-provider, with its own
// login and consent pages), with the demo app registered as a client, for trying single sign-on
// locally. It prints the environment the demo needs. Development only: it accepts any password.
//
//   IDP_PORT        where it listens (default 4000)
//   PUBLIC_ORIGIN   the demo's origin it registers (default http://localhost:$PORT, PORT default 3000)
import { startThrowawayIdp } from '../test-support/throwaway-idp.ts';

const port = Number(process.env.IDP_PORT || 4000);
const appOrigin = new URL(process.env.PUBLIC_ORIGIN || `http://localhost:${process.env.PORT || 3000}`).origin;
const clientId = 'signoff-demo';
const clientSecret = process.env.IDP_CLIENT_SECRET || 'signoff-local-demo-secret';

const idp = await startThrowawayIdp({ port, host: 'localhost', clientId, clientSecret, appOrigins: [appOrigin] });

console.log(`Throwaway OpenID Provider at ${idp.issuer} (development only: any login, any password)

Start the demo against it in another terminal:

  OIDC_ISSUER=${idp.issuer} OIDC_CLIENT_ID=${clientId} OIDC_CLIENT_SECRET=${clientSecret} npm start

Then open ${appOrigin}/login, choose "Sign in with SSO" and sign in as demo@example.com (any password).
Registered for the demo: redirect ${appOrigin}/api/auth/oidc/callback, post-logout ${appOrigin}/login?logged_out=1,
back-channel logout ${appOrigin}/api/auth/oidc/backchannel-logout. Sign out at ${idp.issuer}/session/end to see
back-channel logout end the demo's session. Ctrl+C stops it.`);

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => void idp.stop().then(() => process.exit(0)));
}
