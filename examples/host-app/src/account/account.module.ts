import { Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { UsersModule } from '../users/users.module.js';
import { AccountController } from './account.controller.js';
import { HostPasswordStrategy } from './host-password.strategy.js';

/** Sign-in with the host's own strategy. */
@Module({
  imports: [PassportModule, UsersModule],
  controllers: [AccountController],
  providers: [HostPasswordStrategy],
})
export class AccountModule {}
