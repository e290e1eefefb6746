/** Which active sessions, across users, a bulk revocation ends; every given field must match. */
export interface SessionFilter {
  /** The session's recorded client IP, exactly. */
  ip?: string;
  /** A case-insensitive substring of the session's User-Agent. */
  userAgentContains?: string;
  /** Sessions signed in before this moment. */
  createdBefore?: Date;
  /** Sessions last active before this moment. */
  lastActiveBefore?: Date;
  /** Sessions of these users. */
  userIds?: string[];
}

/** A LIKE pattern matching `text` anywhere, with LIKE's wildcards in it taken literally (escape `\`). */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

/** Appends the filter's values to `parameters` and returns the matching SQL condition on `s` (auth_sessions). */
export function sessionFilterSql(filter: SessionFilter, parameters: unknown[]): string {
  const conditions: string[] = [];
  const add = (sql: (placeholder: string) => string, value: unknown): void => {
    parameters.push(value);
    conditions.push(sql(`$${parameters.length}`));
  };
  if (filter.ip !== undefined) add((p) => `s.ip = ${p}`, filter.ip);
  if (filter.userAgentContains !== undefined) add((p) => `s.user_agent ILIKE ${p} ESCAPE '\\'`, containsPattern(filter.userAgentContains));
  if (filter.createdBefore) add((p) => `s.created_at < ${p}`, filter.createdBefore);
  if (filter.lastActiveBefore) add((p) => `s.last_active_at < ${p}`, filter.lastActiveBefore);
  if (filter.userIds) add((p) => `s.user_id = ANY(${p}::uuid[])`, filter.userIds);
  // Callers refuse an empty filter; this keeps a mistake from ever meaning "every session".
  return conditions.length > 0 ? conditions.join(' AND ') : 'FALSE';
}
