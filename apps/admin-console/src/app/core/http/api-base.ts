/** Where the console looks for the API when index.html does not say: a host with the global prefix `api` and no `routes.prefix`. */
export const DEFAULT_API_BASE = '/api';

/** One or more path segments of unreserved characters (`/api`, `/v2/signoff`): a path on the console's own origin, nothing else. */
const SAME_ORIGIN_PATH = /^(?:\/[A-Za-z0-9_~-][A-Za-z0-9._~-]*)+$/;

const reported = new Set<string>();

/**
 * The path of the library's routes on the console's own origin, from `<meta name="signoff-api" content="/api">`
 * in index.html: the host's global prefix followed by its `routes.prefix`. A host mounting the library elsewhere
 * edits that one attribute in the built index.html (or fills it while serving it); nothing is rebuilt. An absent
 * or empty meta means `/api`. Anything that is not a plain path on this origin (another origin, `//host`, `..`,
 * a query) is refused with a console error and `/api` used instead: the console never sends its cookies' XSRF
 * value anywhere else.
 */
export function apiBaseOf(doc: Pick<Document, 'querySelector'>): string {
  const content = doc.querySelector('meta[name="signoff-api"]')?.getAttribute('content')?.trim() ?? '';
  if (content === '') return DEFAULT_API_BASE;
  const base = content.replace(/\/+$/, '');
  if (SAME_ORIGIN_PATH.test(base)) return base;
  if (!reported.has(content)) {
    reported.add(content);
    console.error(`<meta name="signoff-api" content="${content}"> is not a path on this origin such as "/api"; using ${DEFAULT_API_BASE}.`);
  }
  return DEFAULT_API_BASE;
}

/** The URL of one of the library's routes, `path` as the contract writes it after `/api` (`api('/auth/me')`). */
export function api(path: `/${string}`): string {
  return apiBaseOf(document) + path;
}
