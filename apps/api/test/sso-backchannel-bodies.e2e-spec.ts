import { type ApiProcess, startApi } from '../../../test-support/api-process.js';
import { freePort } from '../../../test-support/free-port.js';
import { startThrowawayIdp, type ThrowawayIdp } from '../../../test-support/throwaway-idp.js';
import { CLIENT_ID, CLIENT_SECRET, oidcEnv, waitUntilSsoAvailable } from './support/sso.js';

const PATH = '/api/auth/oidc/backchannel-logout';

/** POSTs raw bytes to the back-channel logout route, as a provider would (no cookies, no XSRF). */
async function post(api: ApiProcess, contentType: string, body: Buffer | string): Promise<{ status: number; text: string; body: any }> {
  const response = await fetch(`${api.url}${PATH}`, { method: 'POST', headers: { 'content-type': contentType }, body });
  const text = await response.text();
  return { status: response.status, text, body: text.startsWith('{') ? JSON.parse(text) : text };
}

// A provider whose logout request the demo cannot read gets the answer sso.md promises for any
// refused logout (OpenID Connect Back-Channel Logout 1.0 §2.8), on both HTTP platforms; nothing ends.
describe.each(['express', 'fastify'] as const)('back-channel logout bodies the demo cannot read (demo app on %s)', (adapter) => {
  let idp: ThrowawayIdp;
  let api: ApiProcess;

  beforeAll(async () => {
    const port = await freePort();
    api = await startApi({ env: { ...oidcEnv(`http://127.0.0.1:${port}`), HTTP_ADAPTER: adapter } });
    idp = await startThrowawayIdp({ port, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, appOrigins: [api.origin] });
    await waitUntilSsoAvailable(api.url);
  });

  afterAll(async () => {
    await api?.stop();
    await idp?.stop();
  });

  it.each([
    [
      'a form whose bytes are not UTF-8',
      'application/x-www-form-urlencoded',
      Buffer.from([0x6c, 0x6f, 0x67, 0x6f, 0x75, 0x74, 0x5f, 0x74, 0x6f, 0x6b, 0x65, 0x6e, 0x3d, 0xff, 0xfe]),
    ],
    ['a form in latin1', 'application/x-www-form-urlencoded; charset=latin1', Buffer.from('logout_token=caf\xe9', 'latin1')],
    ['JSON that does not parse', 'application/json', 'logout_token=eyJhbGciOiJSUzI1NiJ9.YuIiNeQs5u123'],
    ['text/plain, which no parser reads', 'text/plain', 'logout_token=eyJhbGciOiJSUzI1NiJ9.YuIiNeQs5u123'],
  ])('should answer %s with 400 {error: "invalid_request", error_description}, echoing nothing', async (_name, contentType, body) => {
    const response = await post(api, contentType, body);

    expect(response.status).toBe(400);
    expect(response.body).toEqual({ error: 'invalid_request', error_description: expect.any(String) });
    expect(response.text).not.toMatch(/YuIiNeQs5u123|eyJ/);
  });

  it('should still let a Shared Signals push (application/secevent+jwt) reach its route, and refuse it as text/plain in its shape', async () => {
    const push = (contentType: string) =>
      fetch(`${api.url}/api/auth/oidc/ssf`, { method: 'POST', headers: { 'content-type': contentType }, body: 'not a SET' });

    const set = await push('application/secevent+jwt');
    const text = await push('text/plain');

    expect(set.status).toBe(400);
    expect(await set.json()).toEqual({ err: 'invalid_request', description: expect.stringMatching(/JWT/) });
    expect(text.status).toBe(400);
    expect(await text.json()).toEqual({ err: 'invalid_request', description: expect.stringMatching(/secevent\+jwt/) });
  });

  it.each([
    ['JSON that does not parse', 'application/json', '{"events": eyJhbGciOiJSUzI1NiJ9.YuIiNeQs5u123'],
    ['a form whose bytes are not UTF-8', 'application/x-www-form-urlencoded', Buffer.from([0x61, 0x3d, 0xff, 0xfe])],
  ])("should answer a Shared Signals push of %s in RFC 8935's shape (400 {err, description}), echoing nothing", async (_name, contentType, body) => {
    const response = await fetch(`${api.url}/api/auth/oidc/ssf`, { method: 'POST', headers: { 'content-type': contentType }, body });

    expect(response.status).toBe(400);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ err: 'invalid_request', description: expect.stringMatching(/secevent\+jwt/) });
    expect(text).not.toMatch(/YuIiNeQs5u123|eyJ/);
  });

  it('should answer a body over the limit with 413, reading none of it', async () => {
    const response = await post(api, 'application/x-www-form-urlencoded', `logout_token=${'a'.repeat(70 * 1024)}`);

    expect(response.status).toBe(413);
    expect(response.text).not.toMatch(/aaaaaaaa/);
  });
});
