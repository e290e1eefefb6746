import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { AppConfig } from '../config/app-config.js';
import { PasswordHasher } from './password-hasher.js';
import { RegisterController } from './register.controller.js';
import { User } from './user.entity.js';
import { UsersService } from './users.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([User])],
  controllers: [RegisterController],
  providers: [
    UsersService,
    {
      provide: PasswordHasher,
      inject: [ConfigService],
      useFactory: (settings: ConfigService) => new PasswordHasher(settings.getOrThrow<AppConfig['passwordHashing']>('passwordHashing')),
    },
  ],
  exports: [UsersService],
})
export class UsersModule {}
