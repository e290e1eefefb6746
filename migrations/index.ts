import { AUTH_SESSIONS_MIGRATIONS } from '@signoff/auth-sessions';
import { CreateUsers1767225700000 } from './1767225700000-create-users.js';
import { AddUsersEmailTrigramIndex1767398500000 } from './1767398500000-add-users-email-trigram-index.js';
import { AllowUsersWithoutPassword1767484900000 } from './1767484900000-allow-users-without-password.js';
import { NormalizeUserEmails1767830400000 } from './1767830400000-normalize-user-emails.js';

/** Every migration of the demo app, in order: the library's, then the app's own. */
export const APP_MIGRATIONS = [
  ...AUTH_SESSIONS_MIGRATIONS,
  CreateUsers1767225700000,
  AddUsersEmailTrigramIndex1767398500000,
  AllowUsersWithoutPassword1767484900000,
  NormalizeUserEmails1767830400000,
];
