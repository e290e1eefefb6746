import { Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { UsersModule } from '../users/users.module.js';
import { AccountClosureController } from './account-closure.controller.js';
import { AccountController } from './account.controller.js';
import { HostPasswordStrategy } from './host-password.strategy.js';

/** Sign-in with the host's own strategy, and closing one's account. */
@Module({
  imports: [PassportModule, UsersModule],
  controllers: [AccountController, AccountClosureController],
  providers: [HostPasswordStrategy],
})
export class AccountModule {}
