import { HttpResponse, type HttpInterceptorFn } from '@angular/common/http';
import { inject } from '@angular/core';
import { of, tap } from 'rxjs';
import { CACHE_FOR_MS } from './http-context';
import { ResponseCache } from './response-cache';

/** Serves opted-in GETs from {@link ResponseCache}; any change (non-GET) empties it, so nothing stale survives an action. */
export const cacheInterceptor: HttpInterceptorFn = (req, next) => {
  const cache = inject(ResponseCache);
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    cache.clear();
    return next(req);
  }
  const ttl = req.context.get(CACHE_FOR_MS);
  if (ttl <= 0) return next(req);
  const cached = cache.get(req.urlWithParams);
  if (cached) return of(cached.clone());
  return next(req).pipe(
    tap((event) => {
      if (event instanceof HttpResponse) cache.put(req.urlWithParams, event.clone(), ttl);
    }),
  );
};
