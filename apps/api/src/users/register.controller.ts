import { Body, Controller, Get, HttpStatus, NotFoundException, Post, ValidationPipe } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public, RateLimited, RequireSameOrigin } from '@signoff/auth-sessions';
import { RegisterDto } from './register.dto.js';
import { UsersService } from './users.service.js';

@ApiTags('auth')
@Controller('auth')
export class RegisterController {
  constructor(
    private readonly users: UsersService,
    private readonly config: ConfigService,
  ) {}

  // The console reads this to offer a sign-up link. A probe of POST /register cannot tell: the route
  // exists either way and validation answers before the on/off check.
  @ApiOperation({ summary: 'Whether POST /api/auth/register is open: 200 {open}. Public; hosts without it answer 404, which means closed.' })
  @Public()
  @Get('registration')
  registration(): { open: boolean } {
    return { open: this.config.get<boolean>('allowRegistration') === true };
  }

  @ApiOperation({ summary: 'Create an account (does not sign in); 404 when registration is off.' })
  @Public()
  @RequireSameOrigin()
  @RateLimited()
  @Post('register')
  async register(@Body(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true })) body: RegisterDto) {
    if (!this.config.get<boolean>('allowRegistration')) {
      throw new NotFoundException({ statusCode: HttpStatus.NOT_FOUND, message: 'Registration is turned off.' });
    }
    return { user: await this.users.register(body.email, body.password) };
  }
}
