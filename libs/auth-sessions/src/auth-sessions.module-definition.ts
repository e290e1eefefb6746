import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { AuthSessionsOptions } from './auth-sessions.options.js';

export const {
  ConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN: AUTH_SESSIONS_MODULE_OPTIONS,
  OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<AuthSessionsOptions>({ moduleName: 'AuthSessions' })
  .setClassMethodName('forRoot')
  .build();

/** Injection token of the resolved options (defaults applied). */
export const AUTH_SESSIONS_OPTIONS = Symbol('AUTH_SESSIONS_OPTIONS');
