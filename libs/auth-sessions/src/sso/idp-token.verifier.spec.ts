import { randomUUID } from 'node:crypto';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload } from 'jose';
import type { ResolvedOidcProvider } from './oidc.options.js';
import type { OidcProviders } from './oidc-providers.js';
import { BACKCHANNEL_LOGOUT_EVENT, IdpTokenVerifier } from './idp-token.verifier.js';

const provider: ResolvedOidcProvider = {
  issuer: 'https://login.example.com',
  clientId: 'signoff',
  clientSecret: 'a-client-secret-of-some-length',
  scopes: ['openid'],
  rpLogout: true,
  allowInsecureHttp: false,
};

async function key(kid: string) {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  return { privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256' } as JWK };
}

describe('IdpTokenVerifier', () => {
  let published: Awaited<ReturnType<typeof key>>;
  let verifier: IdpTokenVerifier;

  beforeAll(async () => {
    published = await key('k1');
    const jwks = createLocalJWKSet({ keys: [published.publicJwk] });
    const providers = {
      byIssuer: (issuer: unknown) => (issuer === provider.issuer ? provider : null),
      ready: async () => ({ provider, jwks }),
    } as unknown as OidcProviders;
    verifier = new IdpTokenVerifier(providers);
  });

  const now = () => Math.floor(Date.now() / 1000);
  const logoutClaims = (extra: JWTPayload = {}): JWTPayload => ({
    iss: provider.issuer,
    aud: provider.clientId,
    iat: now(),
    jti: randomUUID(),
    sid: 'provider-sid',
    events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
    ...extra,
  });
  const sign = (payload: JWTPayload, header: Record<string, unknown> = {}, signingKey = published.privateKey) =>
    new SignJWT(payload).setProtectedHeader({ alg: 'ES256', kid: 'k1', ...header }).sign(signingKey);

  describe('verifyLogoutToken', () => {
    it('should accept a valid logout token and say which provider session it ends', async () => {
      const verified = await verifier.verifyLogoutToken(await sign(logoutClaims({ sub: 'u-1' }), { typ: 'logout+jwt' }));
      expect(verified).toMatchObject({ provider, sid: 'provider-sid', subject: 'u-1' });
      expect(verified.replayWindowEndsAt.getTime()).toBeGreaterThan(Date.now() + 5 * 60_000);
    });

    it.each<[string, () => Promise<string> | string, RegExp]>([
      ['missing', () => '', /missing/],
      [
        'alg none',
        () => `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(logoutClaims())).toString('base64url')}.`,
        /alg none/,
      ],
      [
        'a symmetric algorithm',
        async () => new SignJWT(logoutClaims()).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(provider.clientSecret)),
        /algorithm/,
      ],
      ['another key', async () => sign(logoutClaims(), {}, (await key('k1')).privateKey), /signature/],
      ['an unknown kid', async () => sign(logoutClaims(), { kid: 'k9' }), /no key/],
      ['another issuer', async () => sign(logoutClaims({ iss: 'https://evil.example' })), /iss/],
      ['another audience', async () => sign(logoutClaims({ aud: ['someone-else'] })), /aud/],
      ['expired', async () => sign(logoutClaims({ exp: now() - 1 })), /exp/],
      // A minute past the 5-minute bound each way: a second ticking between signing and verifying must not matter.
      ['too old', async () => sign(logoutClaims({ iat: now() - 360 })), /iat/],
      ['from the future', async () => sign(logoutClaims({ iat: now() + 360 })), /iat/],
      ['no jti', async () => sign(logoutClaims({ jti: undefined })), /jti/],
      ['no events', async () => sign(logoutClaims({ events: undefined })), /events/],
      ['a non-object event', async () => sign(logoutClaims({ events: { [BACKCHANNEL_LOGOUT_EVENT]: 'yes' } })), /object/],
      ['a nonce', async () => sign(logoutClaims({ nonce: 'n' })), /nonce/],
      ['neither sid nor sub', async () => sign(logoutClaims({ sid: undefined })), /sid or sub/],
      ['an empty sid', async () => sign(logoutClaims({ sid: '' })), /sid/],
      ['typ secevent+jwt', async () => sign(logoutClaims(), { typ: 'secevent+jwt' }), /typ/],
    ])('should refuse a logout token with %s', async (_name, token, message) => {
      await expect(verifier.verifyLogoutToken(await token())).rejects.toThrow(message);
    });
  });

  describe('verifySecurityEvent', () => {
    const setClaims = (events: unknown): JWTPayload => ({ iss: provider.issuer, aud: provider.clientId, iat: now(), jti: randomUUID(), events });

    it('should accept a SET with one event and return it', async () => {
      const event = { subject: { format: 'iss_sub', iss: provider.issuer, sub: 'u-1' } };
      const verified = await verifier.verifySecurityEvent(await sign(setClaims({ 'urn:example:event': event }), { typ: 'secevent+jwt' }));
      expect(verified).toMatchObject({ eventType: 'urn:example:event', event });
    });

    it.each<[string, unknown, Record<string, unknown>, RegExp]>([
      ['no event', {}, {}, /exactly one/],
      ['two events', { a: {}, b: {} }, {}, /exactly one/],
      ['a non-object event', { a: 1 }, {}, /object/],
      ['typ logout+jwt', { a: {} }, { typ: 'logout+jwt' }, /typ/],
    ])('should refuse a SET with %s', async (_name, events, header, message) => {
      await expect(verifier.verifySecurityEvent(await sign(setClaims(events), header))).rejects.toThrow(message);
    });
  });
});
