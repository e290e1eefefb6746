import type { NextFunction, Request, Response } from 'express';
import { ConsoleFiles } from './console-files.js';
import { assetCacheControl, createNonce, isClientRoute, isServerPath, securityHeaders } from './console-policy.js';

/**
 * Express middleware serving the built Angular console: its files, and index.html for every other GET that
 * is not an API path (the SPA fallback). index.html gets a fresh CSP nonce and `Cache-Control: no-store`,
 * so neither a shared cache nor Back after logout can show a stale signed-in page.
 */
export function consoleHandler(files: ConsoleFiles) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const pathname = req.path;
    if (isServerPath(pathname)) return next();
    void serve(files, pathname, req, res, next).catch(next);
  };
}

async function serve(files: ConsoleFiles, pathname: string, req: Request, res: Response, next: NextFunction): Promise<void> {
  const file = pathname === '/' || pathname === '/index.html' ? null : await files.resolve(pathname);
  if (file && file !== 'index.html') {
    const nonce = createNonce();
    res.sendFile(
      file,
      {
        root: files.root,
        dotfiles: 'deny',
        cacheControl: false,
        headers: { ...securityHeaders(nonce), 'Cache-Control': assetCacheControl(file) },
      },
      (error?: Error) => {
        if (error && !res.headersSent) next();
      },
    );
    return;
  }
  if (pathname !== '/' && pathname !== '/index.html' && !isClientRoute(pathname)) return next();
  const nonce = createNonce();
  const html = await files.indexHtml(nonce);
  if (html === null) return next();
  res.status(200);
  res.set({
    ...securityHeaders(nonce),
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store',
    Vary: 'Cookie',
  });
  if (req.method === 'HEAD') {
    res.set('Content-Length', String(Buffer.byteLength(html)));
    res.end();
  } else {
    res.send(html);
  }
}
