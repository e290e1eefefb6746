// A plain shape of the HTTP API (no Nest or TypeORM import): see devices/session.shape.ts.

/** The contract's `AuditEvent`. Every string may come from an attacker (user agents, notes). */
export interface AuditEventShape<Time = string> {
  id: string;
  /** One of `AUDIT_EVENT_TYPES`. */
  type: string;
  at: Time;
  /** Who acted; null for the system (jobs). */
  actor: { id: string; email: string | null } | null;
  /** The user the event is about. */
  userId: string | null;
  /** That user as the host knows them now (the list answers it; null when there is none or the host no longer has them). */
  user?: { id: string; email: string } | null;
  sessionId: string | null;
  ip: string | null;
  userAgent: string | null;
  /** Always one of the contract's reason codes. */
  reason: string | null;
  /** An admin's or user's free text. */
  note: string | null;
  metadata: Record<string, unknown>;
  /** The X-Request-Id of the request that wrote it. */
  requestId?: string | null;
}

/** `GET /api/admin/audit`: newest first; pass `nextCursor` as `?cursor=` for the next (older) page. */
export interface AuditPageShape<Time = string> {
  items: AuditEventShape<Time>[];
  nextCursor: string | null;
}
