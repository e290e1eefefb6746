/** The `prom-client` module, loaded only when metrics are on. */
export type PromClient = typeof import('prom-client');

/**
 * Loads `prom-client`, the optional peer dependency behind the metrics endpoint. A host that leaves
 * metrics off never needs it installed; one that turns them on gets a start-up error saying how.
 */
export async function loadPromClient(importer: () => Promise<PromClient> = () => import('prom-client')): Promise<PromClient> {
  try {
    return await importer();
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new Error(
        'AuthSessionsModule: metrics are on (`metrics.token` or `metrics.public`) but prom-client is not installed: `npm install prom-client@^15`.',
        {
          cause: error,
        },
      );
    }
    throw error;
  }
}
