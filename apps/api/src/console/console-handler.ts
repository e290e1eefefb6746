import { createReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join } from 'node:path';
import { ConsoleFiles } from './console-files.js';
import { assetCacheControl, createNonce, isClientRoute, isServerPath, securityHeaders } from './console-policy.js';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.webp': 'image/webp',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/**
 * Middleware serving the built Angular console: its files, and index.html for every other GET that
 * is not an API path (the SPA fallback). index.html gets a fresh CSP nonce and `Cache-Control:
 * no-store`, so neither a shared cache nor Back after logout can show a stale signed-in page. It uses
 * only Node's request and response, so it runs the same under Express and Fastify (middie).
 */
export function consoleHandler(files: ConsoleFiles) {
  return (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void): void => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const pathname = pathOf(req);
    if (pathname === null || isServerPath(pathname)) return next();
    void serve(files, pathname, req, res, next).catch(next);
  };
}

async function serve(files: ConsoleFiles, pathname: string, req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void): Promise<void> {
  const file = pathname === '/' || pathname === '/index.html' ? null : await files.resolve(pathname);
  if (file && file !== 'index.html') {
    const info = await files.fileStat(file);
    if (!info) return next();
    res.writeHead(200, {
      ...securityHeaders(createNonce()),
      'Content-Type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
      'Content-Length': String(info.size),
      'Cache-Control': assetCacheControl(file),
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const stream = createReadStream(join(files.root, file));
    stream.once('error', () => res.destroy());
    stream.pipe(res);
    return;
  }
  if (pathname !== '/' && pathname !== '/index.html' && !isClientRoute(pathname)) return next();
  const nonce = createNonce();
  const html = await files.indexHtml(nonce);
  if (html === null) return next();
  res.writeHead(200, {
    ...securityHeaders(nonce),
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(html)),
    'Cache-Control': 'no-store',
    Vary: 'Cookie',
  });
  res.end(req.method === 'HEAD' ? undefined : html);
}

function pathOf(req: IncomingMessage): string | null {
  try {
    return new URL(req.url ?? '/', 'http://console.invalid').pathname;
  } catch {
    return null;
  }
}
