import { HttpResponse } from '@angular/common/http';
import { HttpTestingController } from '@angular/common/http/testing';
import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { Router } from '@angular/router';
import { FakeSessionEventStream, FakeTabChannel, clearCookies, provideConsoleTesting, setCookie } from '../../../testing/testing-providers';
import { nextRequest, problem } from '../../../testing/http';
import { ResponseCache } from '../http/response-cache';
import { AppStorage } from '../storage/app-storage';
import { ClientSession } from './client-session';
import { ExternalNavigation } from './external-navigation';
import { LOGOUT_IN_FLIGHT_POLICY, LOGOUT_RETRY_DELAYS_MS, Logout } from './logout';
import { SessionEventStream } from './session-event-stream';
import { TabChannel } from './tab-channel';

@Component({ template: '' })
class Blank {}

const USER = { id: 'u1', email: 'ada@example.com', roles: [] };

function setUp(policy: 'executeLast' | 'doNotExecute' | 'executeAll' = 'executeLast') {
  TestBed.configureTestingModule({
    providers: [
      provideConsoleTesting([
        { path: 'login', component: Blank },
        { path: 'devices', component: Blank },
      ]),
      { provide: LOGOUT_IN_FLIGHT_POLICY, useValue: policy },
      { provide: LOGOUT_RETRY_DELAYS_MS, useValue: [] },
    ],
  });
  const session = TestBed.inject(ClientSession);
  session.signedIn(USER);
  return {
    session,
    logout: TestBed.inject(Logout),
    http: TestBed.inject(HttpTestingController),
    router: TestBed.inject(Router),
    tabs: TestBed.inject(TabChannel) as unknown as FakeTabChannel,
    events: TestBed.inject(SessionEventStream) as unknown as FakeSessionEventStream,
    storage: TestBed.inject(AppStorage),
    cache: TestBed.inject(ResponseCache),
  };
}

describe('Logout', () => {
  beforeEach(() => {
    sessionStorage.clear();
    localStorage.clear();
    clearCookies();
  });

  describe('when the session came through single sign-on (RP-initiated logout)', () => {
    it("should clear the browser's state, then leave for the provider's end-session page without routing to the login page", async () => {
      const { session, logout, http, router, tabs } = setUp();
      await router.navigateByUrl('/devices');
      const leave = vi.spyOn(TestBed.inject(ExternalNavigation), 'leave').mockImplementation(() => undefined);
      const navigate = vi.spyOn(router, 'navigateByUrl');
      const endSession = 'https://login.example.com/session/end?id_token_hint=x&client_id=signoff&state=s';

      const running = logout.run();
      (await nextRequest(http, { method: 'POST', url: '/api/auth/logout' })).flush({ redirectTo: endSession });
      expect(await running).toEqual({ status: 'succeeded', value: { redirectTo: endSession } });

      expect(session.user()).toBeNull();
      expect(tabs.posted).toContainEqual({ type: 'session-ended', reason: 'logout' });
      expect(navigate).not.toHaveBeenCalled();
      expect(leave).toHaveBeenCalledWith(endSession);
    });

    it('should never leave for a URL that is not http(s)', async () => {
      const { logout, http } = setUp();
      const leave = vi.spyOn(TestBed.inject(ExternalNavigation), 'leave').mockImplementation(() => undefined);
      const running = logout.run();
      (await nextRequest(http, { method: 'POST', url: '/api/auth/logout' })).flush({ redirectTo: 'javascript:alert(1)' });
      await running;
      expect(leave).not.toHaveBeenCalled();
    });
  });

  describe('when the server confirms', () => {
    it('should clear every piece of user state, tell the other tabs and replace the URL with redirectTo', async () => {
      const { session, logout, http, router, tabs, events, storage, cache } = setUp();
      await router.navigateByUrl('/devices');
      storage.write('admin.users.pageSize', 50);
      localStorage.setItem('signoff.console.other', '1');
      localStorage.setItem('someone-else', 'kept');
      cache.put('/api/admin/users?page=1', new HttpResponse({ body: { items: [] } }), 60_000);
      const navigate = vi.spyOn(router, 'navigateByUrl');
      const onSuccess = vi.fn();

      const running = logout.run({ onSuccess });
      expect(logout.pending()).toBe(true);
      const request = await nextRequest(http, { method: 'POST', url: '/api/auth/logout' });
      request.flush({ redirectTo: '/login?logged_out=1' });
      expect(await running).toEqual({ status: 'succeeded', value: { redirectTo: '/login?logged_out=1' } });

      expect(onSuccess).toHaveBeenCalledWith({ redirectTo: '/login?logged_out=1' });
      expect(logout.pending()).toBe(false);
      expect(session.user()).toBeNull();
      expect(cache.size).toBe(0);
      expect(sessionStorage.length).toBe(0);
      expect(localStorage.getItem('signoff.console.other')).toBeNull();
      expect(localStorage.getItem('someone-else')).toBe('kept');
      expect(events.connected).toBe(false);
      expect(tabs.posted).toEqual([{ type: 'session-ended', reason: 'logout' }]);
      expect(navigate).toHaveBeenCalledWith('/login?logged_out=1', { replaceUrl: true });
      expect(router.url).toBe('/login?logged_out=1');
    });

    it('should ignore a redirectTo that leaves the origin', async () => {
      const { logout, http, router } = setUp();
      const running = logout.run();
      (await nextRequest(http, { url: '/api/auth/logout' })).flush({ redirectTo: '//evil.example/phish' });
      await running;
      expect(router.url).toBe('/login?logged_out=1');
    });
  });

  describe('when the server answers 503', () => {
    it('should clear nothing, say sign-out was not confirmed, and call onError', async () => {
      const { session, logout, http, tabs, events, storage, router } = setUp();
      await router.navigateByUrl('/devices');
      storage.write('admin.users.pageSize', 50);
      const onError = vi.fn();
      const running = logout.run({ onError });
      (await nextRequest(http, { url: '/api/auth/logout' })).flush(problem(503, { code: 'service_unavailable' }), {
        status: 503,
        statusText: 'Service Unavailable',
      });
      expect((await running).status).toBe('failed');
      expect(onError).toHaveBeenCalledWith(expect.objectContaining({ status: 503, code: 'service_unavailable' }));
      expect(logout.notConfirmed()).toBe(true);
      expect(session.user()).toEqual(USER);
      expect(storage.read('admin.users.pageSize', 0)).toBe(50);
      expect(events.connected).toBe(true);
      expect(tabs.posted).toEqual([]);
      expect(router.url).toBe('/devices');
    });
  });

  describe('when the server cannot be reached', () => {
    it('should clear the browser anyway and show the login page with the sign-out marked unconfirmed', async () => {
      const { session, logout, http, router } = setUp();
      const running = logout.run();
      (await nextRequest(http, { url: '/api/auth/logout' })).error(new ProgressEvent('error'));
      expect((await running).status).toBe('failed');
      expect(session.user()).toBeNull();
      expect(logout.notConfirmed()).toBe(true);
      expect(router.url).toBe('/login?logged_out=1&signout=unconfirmed');
    });
  });

  describe('clicks while a logout is pending', () => {
    async function clickThrice(policy: 'executeLast' | 'doNotExecute' | 'executeAll') {
      const { logout, http } = setUp(policy);
      const outcomes = [logout.run(), logout.run(), logout.run()];
      let requests = 0;
      for (;;) {
        const [request] = http.match('/api/auth/logout');
        if (request) {
          requests++;
          request.flush({ redirectTo: '/login?logged_out=1' });
        }
        const settled = await Promise.race([Promise.all(outcomes).then(() => true), new Promise((r) => setTimeout(() => r(false), 20))]);
        if (settled) break;
      }
      return { requests, statuses: (await Promise.all(outcomes)).map((outcome) => outcome.status) };
    }

    it('should run one more after the pending one with executeLast (the default)', async () => {
      expect(await clickThrice('executeLast')).toEqual({ requests: 2, statuses: ['succeeded', 'dropped', 'succeeded'] });
    });

    it('should drop them with doNotExecute', async () => {
      expect(await clickThrice('doNotExecute')).toEqual({ requests: 1, statuses: ['succeeded', 'dropped', 'dropped'] });
    });

    it('should run each in turn with executeAll', async () => {
      expect(await clickThrice('executeAll')).toEqual({ requests: 3, statuses: ['succeeded', 'succeeded', 'succeeded'] });
    });
  });
});

describe('ClientSession', () => {
  beforeEach(() => clearCookies());

  it('should end the session like a logout when another tab says so, without echoing it back or keeping the page', async () => {
    const { session, tabs, router } = setUp();
    await router.navigateByUrl('/devices');
    tabs.receive({ type: 'session-ended', reason: 'logout' });
    await vi.waitFor(() => expect(router.url).toBe('/login?logged_out=1'));
    expect(session.user()).toBeNull();
    expect(tabs.posted).toEqual([]);
  });

  it('should end the session with the reason of the server logout event, keeping the page to come back to', async () => {
    const { session, events, router, tabs } = setUp();
    await router.navigateByUrl('/devices');
    events.emitLogout('revoked_by_admin');
    await vi.waitFor(() => expect(router.url).toBe('/login?reason=revoked_by_admin&next=%2Fdevices'));
    expect(session.user()).toBeNull();
    expect(tabs.posted).toEqual([{ type: 'session-ended', reason: 'revoked_by_admin' }]);
  });

  it('should not ask the server who is signed in when there is no XSRF cookie (no session cookie either)', async () => {
    const { session, http } = setUp();
    await session.end({ navigate: 'never' });
    expect(await session.check()).toEqual({ user: null });
    http.expectNone('/api/auth/me');
  });

  it('should report why when the session check answers 401 session_ended', async () => {
    const { session, http } = setUp();
    await session.end({ navigate: 'never' });
    setCookie('XSRF-TOKEN=abc; path=/');
    const checking = session.check();
    (await nextRequest(http, { url: '/api/auth/me' })).flush(problem(401, { code: 'session_ended', reason: 'password_change' }), {
      status: 401,
      statusText: 'Unauthorized',
    });
    expect(await checking).toEqual({ user: null, ended: { reason: 'password_change' } });
  });

  describe('when a page comes back from the back/forward cache', () => {
    function pageTransition(type: 'pagehide' | 'pageshow'): Event {
      const event = new Event(type);
      Object.defineProperty(event, 'persisted', { value: true });
      return event;
    }

    it('should hide the page as it leaves, and show the login page when the session ended meanwhile', async () => {
      const { router, http } = setUp();
      await router.navigateByUrl('/devices');
      setCookie('XSRF-TOKEN=abc; path=/');
      window.dispatchEvent(pageTransition('pagehide'));
      expect(document.body.classList.contains('app-concealed')).toBe(true);

      window.dispatchEvent(pageTransition('pageshow'));
      (await nextRequest(http, { url: '/api/auth/me' })).flush(problem(401, { code: 'session_ended', reason: 'logout' }), {
        status: 401,
        statusText: 'Unauthorized',
      });
      await vi.waitFor(() => expect(router.url).toBe('/login?logged_out=1'));
      expect(document.body.classList.contains('app-concealed')).toBe(false);
    });

    it('should show the page again once the session is confirmed', async () => {
      const { router, http, session } = setUp();
      await router.navigateByUrl('/devices');
      setCookie('XSRF-TOKEN=abc; path=/');
      window.dispatchEvent(pageTransition('pagehide'));
      window.dispatchEvent(pageTransition('pageshow'));
      (await nextRequest(http, { url: '/api/auth/me' })).flush({ user: USER, session: { id: 's1' } });
      await vi.waitFor(() => expect(document.body.classList.contains('app-concealed')).toBe(false));
      expect(router.url).toBe('/devices');
      expect(session.user()).toEqual(USER);
    });
  });
});
