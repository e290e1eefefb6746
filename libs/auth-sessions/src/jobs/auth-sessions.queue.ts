/** The library's BullMQ queue: its name, job names and payloads, in one place. */
export const AUTH_SESSIONS_QUEUE = 'auth-sessions';

export const JOB_EXPIRE_SESSIONS = 'expire-sessions';

/** Payload of `expire-sessions`: none; the job sweeps whatever is due. */
export type ExpireSessionsJob = Record<string, never>;
