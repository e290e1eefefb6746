import { createServer } from 'node:net';

/**
 * Ports handed out inside Jest: each worker has a range of its own, below the kernel's ephemeral
 * ports (32768 and up on Linux), so neither another worker nor an outgoing connection can take a port
 * between the moment it was found free and the moment the test's server binds it. With any free port
 * from the kernel instead, two workers were once given the same one: one app failed to bind, and its
 * test talked to the other worker's app, which answered its health check.
 */
const FIRST_PORT = 20_000;
const PORTS_PER_WORKER = 1_000;
const MAX_WORKERS = 12;
let nextOffset = 0;

/** A TCP port on 127.0.0.1 that is free now and that no other Jest worker will be given. */
export async function freePort(): Promise<number> {
  const worker = Number(process.env['JEST_WORKER_ID']);
  if (!Number.isInteger(worker) || worker < 1 || worker > MAX_WORKERS) return anyFreePort();
  const first = FIRST_PORT + (worker - 1) * PORTS_PER_WORKER;
  for (let tried = 0; tried < PORTS_PER_WORKER; tried++) {
    // Synchronous, so servers of one test started at once (startApis) get different ports.
    const port = first + (nextOffset++ % PORTS_PER_WORKER);
    if (await isFree(port)) return port;
  }
  throw new Error(`no free port in ${first}-${first + PORTS_PER_WORKER - 1} for Jest worker ${worker}`);
}

/** Any port the kernel says is free (outside Jest: scripts and benches that run alone). */
function anyFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('could not read the port of a listening socket'))));
    });
  });
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
