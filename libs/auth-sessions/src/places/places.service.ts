import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import { AUTH_SESSIONS_OPTIONS } from '../auth-sessions.module-definition.js';
import type { ResolvedAuthSessionsOptions } from '../auth-sessions.options.js';
import { isLocalNetworkAddress, LOCAL_NETWORK_PLACE } from './place-lookup.js';
import { withDeadline } from '../common/deadline.js';

// A host's lookup may be remote; a sign-in never waits longer than this for a place.
const LOOKUP_TIMEOUT_MS = 250;

/** Gives a new session its coarse place, through the host's `places` option. */
@Injectable()
export class Places implements OnModuleInit, OnApplicationBootstrap {
  private readonly logger = new Logger('Places');
  private preloading: Promise<void> | undefined;

  constructor(@Inject(AUTH_SESSIONS_OPTIONS) private readonly options: ResolvedAuthSessionsOptions) {}

  /** Starts the lookup's preload (an MMDB file read) while the other modules initialise. */
  onModuleInit(): void {
    const lookup = this.options.places;
    if (lookup && 'preload' in lookup && typeof lookup.preload === 'function') {
      this.preloading = (lookup.preload as () => Promise<void>).call(lookup).catch(() => undefined);
    }
  }

  /**
   * Waits for the preload before the app listens: the first sign-ins after a start would otherwise race
   * the file read against the lookup timeout and keep no place for good.
   */
  async onApplicationBootstrap(): Promise<void> {
    await this.preloading;
  }

  /**
   * The place of `ip`: "Local network" for private and loopback addresses, else the lookup's answer;
   * null when places are off, the address is unknown, or the lookup fails or is slow.
   */
  async locate(ip: string): Promise<string | null> {
    const lookup = this.options.places;
    if (lookup === false || !ip) return null;
    if (isLocalNetworkAddress(ip)) return LOCAL_NETWORK_PLACE;
    if (!lookup) return null;
    try {
      const answer = await withDeadline(Promise.resolve(lookup.lookup(ip)), LOOKUP_TIMEOUT_MS, () => null);
      return typeof answer === 'string' && answer.trim() ? answer.trim().slice(0, 160) : null;
    } catch (error) {
      this.logger.warn(`place lookup failed: ${error instanceof Error ? error.message : String(error)}`);
      return null;
    }
  }
}
