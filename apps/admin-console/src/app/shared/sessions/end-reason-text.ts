import type { SessionEndReason } from './session';

/** How the login page explains that this browser's session ended (second person, this device). */
const SIGNED_OUT_BECAUSE: Record<SessionEndReason, string> = {
  logout: 'You have been signed out',
  // Also sent when the device that asked kept its own session ("Sign out all other devices"): say only what is true for both.
  logout_everywhere: 'This device was signed out when one of your devices signed out all your other devices',
  revoked_by_user: 'This device was signed out from another of your devices',
  revoked_by_admin: 'An administrator signed you out',
  password_change: 'Your password was changed on another device',
  email_change: 'Your email address was changed on another device',
  security_concern: 'You were signed out everywhere after a report that a sign-in was not you',
  refresh_token_reuse: 'You were signed out because a sign-in token was used twice',
  expired_idle: 'Your session expired after a period of inactivity',
  expired_absolute: 'Your session reached its maximum length',
  replaced: 'You signed in again in this browser',
  idp_logout: "You were signed out by your organisation's sign-in service",
};

/** How a device list describes an ended session (third person, any device). */
const ENDED_BECAUSE: Record<SessionEndReason, string> = {
  logout: 'Signed out',
  logout_everywhere: 'Signed out with all other devices',
  revoked_by_user: 'Revoked by the user',
  revoked_by_admin: 'Revoked by an administrator',
  password_change: 'Password changed',
  email_change: 'Email address changed',
  security_concern: 'Reported as not the user',
  refresh_token_reuse: 'Token reuse detected',
  expired_idle: 'Expired (inactive)',
  expired_absolute: 'Expired (maximum length)',
  replaced: 'Replaced by a new sign-in',
  idp_logout: "Signed out by the organisation's sign-in service",
};

export function signedOutMessage(reason: SessionEndReason): string {
  return SIGNED_OUT_BECAUSE[reason];
}

export function endReasonLabel(reason: SessionEndReason | undefined): string {
  return reason ? ENDED_BECAUSE[reason] : 'Ended';
}
