import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { OidcProviders } from './oidc-providers.js';
import { SsoRepository } from './sso.repository.js';

const EVERY_MS = 10 * 60_000;

/**
 * Deletes what single sign-on no longer needs, on every instance (the statements are idempotent
 * and cheap): used token ids past their acceptance window, and the logout hints of sessions that
 * ended without a logout (expiry, credential changes, admins).
 */
@Injectable()
export class SsoHousekeeping implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('AuthSessions');
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly providers: OidcProviders,
    private readonly repository: SsoRepository,
  ) {}

  onModuleInit(): void {
    if (!this.providers.isEnabled) return;
    this.timer = setInterval(() => void this.run(), EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Runs one clean-up; never throws. */
  async run(now = new Date()): Promise<void> {
    try {
      await this.repository.purgeUsed(now);
      await this.repository.purgeInactiveHints(now);
    } catch (error) {
      this.logger.warn(`Single sign-on clean-up failed: ${(error as Error).message}; retried later`);
    }
  }
}
