import { Injectable } from '@nestjs/common';
import type { ClientContext } from '../common/client-context.js';
import { IdpLogoutService } from './idp-logout.service.js';
import { IdpTokenVerifier, type VerifiedSecurityEvent } from './idp-token.verifier.js';
import { IdpTokenRejectedError } from './sso.errors.js';

/** CAEP event types this receiver acts on. */
export const CAEP_SESSION_REVOKED = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked';
export const CAEP_CREDENTIAL_CHANGE = 'https://schemas.openid.net/secevent/caep/event-type/credential-change';

/** Who an event is about: a provider subject, and optionally one of its sessions. */
export interface EventSubject {
  iss: string;
  sub: string;
  sid: string | undefined;
}

/**
 * The Shared Signals receiver (SSF push delivery, RFC 8935; SETs, RFC 8417; CAEP): one verified SET
 * from the configured provider per request. `session-revoked` ends the matching sessions
 * (`idp_logout`); `credential-change` ends every session of the linked user (`password_change`).
 * Anything else is refused and changes nothing.
 */
@Injectable()
export class SharedSignalsService {
  constructor(
    private readonly verifier: IdpTokenVerifier,
    private readonly idpLogout: IdpLogoutService,
  ) {}

  /** Verifies and applies one SET (`client`: the transmitter's request, for the audit events). Throws `IdpTokenRejectedError` for anything the receiver must refuse. */
  async receive(token: unknown, client: ClientContext): Promise<void> {
    const verified = await this.verifier.verifySecurityEvent(token);
    if (verified.eventType !== CAEP_SESSION_REVOKED && verified.eventType !== CAEP_CREDENTIAL_CHANGE) {
      throw new IdpTokenRejectedError('unsupported event');
    }
    const subject = eventSubject(verified);
    if (subject.iss !== verified.provider.issuer) throw new IdpTokenRejectedError("SET: the subject's iss is not the configured issuer");
    if (verified.eventType === CAEP_SESSION_REVOKED) {
      await this.idpLogout.endProviderSessions({ token: verified, kind: 'set', source: 'ssf_session_revoked', sid: subject.sid, subject: subject.sub, client });
      return;
    }
    const change = [verified.event['credential_type'], verified.event['change_type']].filter((part) => typeof part === 'string').join(' ');
    await this.idpLogout.credentialChanged(
      verified,
      subject.sub,
      `Credential change reported by ${verified.provider.issuer} (Shared Signals${change ? `: ${change.slice(0, 64)}` : ''})`,
    );
  }
}

/**
 * The subject of the event: the event's `subject` (CAEP) or the SET's `sub_id` (SSF 1.0), either
 * `{format: "iss_sub", iss, sub}` or a complex subject whose `user` is that and whose optional
 * `session` is `{format: "opaque", id}` (the provider's session id).
 */
export function eventSubject(verified: { event: VerifiedSecurityEvent['event']; payload: Record<string, unknown> }): EventSubject {
  const raw = verified.event['subject'] ?? verified.payload['sub_id'];
  if (!isObject(raw)) throw new IdpTokenRejectedError('SET: the event has no subject');
  if (raw['format'] === 'iss_sub') return { ...issSub(raw), sid: undefined };
  if (raw['format'] === 'complex') {
    const user = raw['user'];
    if (!isObject(user) || user['format'] !== 'iss_sub') throw new IdpTokenRejectedError('SET: a complex subject needs an iss_sub user');
    const session = raw['session'];
    if (session === undefined) return { ...issSub(user), sid: undefined };
    if (!isObject(session) || session['format'] !== 'opaque' || !isId(session['id'])) {
      throw new IdpTokenRejectedError('SET: the session subject must be {"format":"opaque","id":...}');
    }
    return { ...issSub(user), sid: session['id'] };
  }
  throw new IdpTokenRejectedError('SET: the subject format is not supported (iss_sub or complex)');
}

function issSub(subject: Record<string, unknown>): { iss: string; sub: string } {
  const { iss, sub } = subject;
  if (!isId(iss) || !isId(sub)) throw new IdpTokenRejectedError('SET: an iss_sub subject needs iss and sub');
  return { iss, sub };
}

function isId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 2048;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
