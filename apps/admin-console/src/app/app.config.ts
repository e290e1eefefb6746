import { provideHttpClient, withInterceptors } from '@angular/common/http';
import { provideBrowserGlobalErrorListeners, type ApplicationConfig } from '@angular/core';
import { MAT_ICON_DEFAULT_OPTIONS } from '@angular/material/icon';
import { provideRouter, withComponentInputBinding } from '@angular/router';
import { routes } from './app.routes';
import { cacheInterceptor } from './core/http/cache-interceptor';
import { reauthInterceptor } from './core/http/reauth-interceptor';
import { sessionEndInterceptor } from './core/http/session-end-interceptor';
import { xsrfRetryInterceptor } from './core/http/xsrf-retry-interceptor';

export const appConfig: ApplicationConfig = {
  providers: [
    provideBrowserGlobalErrorListeners(),
    provideRouter(routes, withComponentInputBinding()),
    // Angular's XSRF convention (cookie XSRF-TOKEN, header X-XSRF-TOKEN) is on by default and matches the API.
    // Order matters: a retried request after a password confirmation passes through the 401 handler again;
    // a retry with another XSRF value (a planted cookie) passes through all of them.
    provideHttpClient(withInterceptors([xsrfRetryInterceptor, reauthInterceptor, sessionEndInterceptor, cacheInterceptor])),
    // The icon font is self-hosted from the material-symbols package (no font CDN is reachable).
    { provide: MAT_ICON_DEFAULT_OPTIONS, useValue: { fontSet: 'material-symbols-outlined' } },
  ],
};
