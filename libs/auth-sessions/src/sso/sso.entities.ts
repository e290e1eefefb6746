import { SsoLink } from './sso-link.entity.js';
import { SsoLogoutHint } from './sso-logout-hint.entity.js';
import { SsoUsedToken } from './sso-used-token.entity.js';

/** The single sign-on entities (part of AUTH_SESSIONS_ENTITIES). */
export const SSO_ENTITIES: Array<new () => object> = [SsoLink, SsoLogoutHint, SsoUsedToken];
