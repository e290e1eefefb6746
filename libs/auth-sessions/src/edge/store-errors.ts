import { isStoreUnavailableError } from '../common/store-unavailable.js';
import { StoreUnavailableError } from '../sessions/session.errors.js';

/**
 * Runs `work`, turning "PostgreSQL or Redis cannot be reached" into `StoreUnavailableError` (an
 * HttpException: 503 with a generic body on HTTP, the same status in a GraphQL or WebSocket error),
 * so no driver message, SQL or stack reaches a client on any transport.
 */
export async function translateStoreErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isStoreUnavailableError(error)) throw new StoreUnavailableError({ cause: error });
    throw error;
  }
}
