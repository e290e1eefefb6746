import type { Type } from '@nestjs/common';
import type { DiscoveryService, MetadataScanner } from '@nestjs/core';

/** One method of a controller of the app: HTTP routes and microservice handlers alike. */
export interface ControllerHandler {
  type: Type;
  name: string;
  handler: (...args: never[]) => unknown;
}

/** Every method of every controller Nest found in the app, in module order; for start-up checks that read their metadata. */
export function* controllerHandlers(discovery: DiscoveryService, scanner: MetadataScanner): Generator<ControllerHandler> {
  for (const wrapper of discovery.getControllers()) {
    const type = wrapper.metatype as Type | undefined;
    if (!type?.prototype) continue;
    for (const name of scanner.getAllMethodNames(type.prototype as object)) {
      const handler = (type.prototype as Record<string, unknown>)[name];
      if (typeof handler === 'function') yield { type, name, handler: handler as (...args: never[]) => unknown };
    }
  }
}
