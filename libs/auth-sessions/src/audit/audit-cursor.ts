// A bigint seq, as PostgreSQL's bigint allows it.
const SEQ = /^[1-9][0-9]{0,18}$/;
const MAX_SEQ = 9223372036854775807n;
const BASE64URL = /^[A-Za-z0-9_-]{1,200}$/;

/** An opaque keyset cursor: the next page holds events older than `seq`. */
export function encodeAuditCursor(seq: string): string {
  return Buffer.from(JSON.stringify({ v: 1, before: seq }), 'utf8').toString('base64url');
}

/** The `seq` inside a cursor from `encodeAuditCursor`; null when the cursor is malformed or was edited. */
export function decodeAuditCursor(cursor: string): string | null {
  if (!BASE64URL.test(cursor)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
  const { v, before, ...rest } = parsed as Record<string, unknown>;
  if (v !== 1 || Object.keys(rest).length > 0 || typeof before !== 'string' || !SEQ.test(before) || BigInt(before) > MAX_SEQ) return null;
  return before;
}
