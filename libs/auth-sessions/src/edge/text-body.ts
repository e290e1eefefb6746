import type { Readable } from 'node:stream';
import type { HttpAdapterHost } from '@nestjs/core';
import type { HttpRequest } from './http-edge.js';

/** Thrown when a text body is larger than allowed. */
export class BodyTooLargeError extends Error {
  constructor(limit: number) {
    super(`The request body is larger than ${limit} bytes.`);
    this.name = 'BodyTooLargeError';
  }
}

/**
 * Lets a body of `mediaType` (e.g. `application/secevent+jwt`) reach the handler as text on either
 * platform. Fastify refuses content types it has no parser for (415), so a string parser is added;
 * Express's default parsers leave such a body unread, and `readTextBody` reads it. Call before the
 * application listens (module init).
 */
export function acceptTextBodies(adapterHost: HttpAdapterHost, mediaType: string, limit: number): void {
  const adapter = adapterHost.httpAdapter;
  if (adapter?.getType() !== 'fastify') return;
  const fastify = adapter.getInstance<{
    hasContentTypeParser(type: string): boolean;
    addContentTypeParser(
      type: string,
      options: { parseAs: 'string'; bodyLimit: number },
      parser: (req: unknown, body: string, done: (error: Error | null, body?: string) => void) => void,
    ): void;
  }>();
  if (fastify.hasContentTypeParser(mediaType)) return;
  fastify.addContentTypeParser(mediaType, { parseAs: 'string', bodyLimit: limit }, (_req, body, done) => done(null, body));
}

/** The request body as text: what a parser made of it (string or Buffer), else read from the request stream, at most `limit` bytes. */
export async function readTextBody(req: HttpRequest, limit: number): Promise<string> {
  const body = req.body;
  if (typeof body === 'string') return body;
  if (Buffer.isBuffer(body)) return body.toString('utf8');
  const stream = req as HttpRequest & Partial<Readable> & { readableEnded?: boolean };
  if (typeof stream.on !== 'function' || stream.readableEnded) return '';
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buffer.length;
    if (size > limit) throw new BodyTooLargeError(limit);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
