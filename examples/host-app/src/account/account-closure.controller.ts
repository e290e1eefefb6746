import { Controller, Delete, HttpCode } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { CurrentUser, type SignoffUser, UserErasureService } from '@signoff/auth-sessions';
import type { DataSource } from 'typeorm';
import { UsersService } from '../users/users.service.js';

/**
 * A user closes their own account: the host deletes the user, and the library ends their sessions on
 * every instance and erases their session data, in one transaction. The caller's own session is among
 * them, so its next request is 401.
 */
@Controller('account')
export class AccountClosureController {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UsersService,
    private readonly erasure: UserErasureService,
  ) {}

  @Delete()
  @HttpCode(204)
  async close(@CurrentUser() user: SignoffUser): Promise<void> {
    const receipt = await this.dataSource.transaction(async (manager) => {
      await this.users.delete(user.id, manager);
      return this.erasure.eraseUser(user.id, { manager, note: 'account closed by its owner' });
    });
    // After the commit: every instance drops the sessions before the answer goes out.
    await receipt.announce();
  }
}
