// #region app-module (README.md "Use it in your own Nest app" quotes this region; a test keeps them equal)
import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AUTH_SESSIONS_ENTITIES, AUTH_SESSIONS_MIGRATIONS, AuthSessionsModule, type AuthSessionsOptions } from '@signoff/auth-sessions';
import { AccountModule } from './account/account.module.js';
import { CreateUsers1767657600000 } from './migrations/1767657600000-create-users.js';
import { ProjectsModule } from './projects/projects.module.js';
import { User } from './users/user.entity.js';
import { UsersModule } from './users/users.module.js';
import { UsersService } from './users/users.service.js';

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true }),
    TypeOrmModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({
        type: 'postgres',
        url: config.getOrThrow<string>('DATABASE_URL'),
        entities: [...AUTH_SESSIONS_ENTITIES, User],
        migrations: [...AUTH_SESSIONS_MIGRATIONS, CreateUsers1767657600000],
        migrationsRun: true,
      }),
    }),
    BullModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({
        connection: { url: config.getOrThrow<string>('REDIS_URL') },
        prefix: `${config.get<string>('REDIS_PREFIX', 'host-app')}:bull`,
      }),
    }),
    // Global: SignInService, CredentialsService, … can be injected in every feature module.
    AuthSessionsModule.forRootAsync({
      isGlobal: true,
      imports: [UsersModule],
      inject: [UsersService, ConfigService],
      // Typed: a misspelt option (cookieSecur, redis.prefx) is then a compile error.
      useFactory: (users: UsersService, config: ConfigService): AuthSessionsOptions => ({
        users,
        publicOrigin: config.getOrThrow<string>('PUBLIC_ORIGIN'),
        redis: { url: config.getOrThrow<string>('REDIS_URL'), prefix: config.get<string>('REDIS_PREFIX', 'host-app') },
        // Secure cookies (and __Host-sid) on an HTTPS origin, unless COOKIE_SECURE says otherwise.
        cookieSecure: (config.get<string>('COOKIE_SECURE') ?? String(config.getOrThrow<string>('PUBLIC_ORIGIN').startsWith('https:'))) === 'true',
        accessTokens: { secret: config.get<string>('JWT_SECRET') },
        metrics: { token: config.get<string>('METRICS_TOKEN') },
      }),
    }),
    UsersModule,
    AccountModule,
    ProjectsModule,
  ],
})
export class AppModule {}
// #endregion app-module
