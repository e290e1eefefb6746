import { Body, Controller, Get, HttpStatus, NotFoundException, Post, UseInterceptors } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, InputValidationPipe, Public, RateLimited, RequireSameOrigin, StoreUnavailableInterceptor } from '@signoff/auth-sessions';
import { RegisterDto, RegisterResponseDto, RegistrationStatusDto } from './register.dto.js';
import { UsersService } from './users.service.js';

// The library's pipe: input depth, text and types are checked before class-validator runs.
const registerPipe = new InputValidationPipe();

@ApiTags('auth')
@Controller('auth')
// A register with PostgreSQL down is a 503 service_unavailable like every library route, not a 500.
@UseInterceptors(StoreUnavailableInterceptor)
export class RegisterController {
  constructor(
    private readonly users: UsersService,
    private readonly config: ConfigService,
  ) {}

  // The console reads this to offer a sign-up link. A probe of POST /register cannot tell: the route
  // exists either way and validation answers before the on/off check.
  @ApiOperation({ summary: 'Whether POST /api/auth/register is open: 200 {open}. Public; hosts without it answer 404, which means closed.' })
  @ApiOkResponse({ type: RegistrationStatusDto })
  @ApiErrors(400, 503)
  @Public()
  @Get('registration')
  registration(): RegistrationStatusDto {
    return { open: this.config.get<boolean>('allowRegistration') === true };
  }

  @ApiOperation({ summary: 'Create an account (does not sign in); 404 when registration is off.' })
  @ApiCreatedResponse({ type: RegisterResponseDto })
  @ApiErrors(
    [400, 'A malformed email, a password outside 12 to 128 characters, an unknown field, or invalid text.'],
    [403, 'An Origin other than the public origin: code origin_not_allowed.'],
    [404, 'Registration is turned off.'],
    [409, 'The email is already registered.'],
    413,
    415,
    429,
    503,
  )
  @Public()
  @RequireSameOrigin()
  @RateLimited()
  @Post('register')
  async register(@Body(registerPipe) body: RegisterDto) {
    if (!this.config.get<boolean>('allowRegistration')) {
      throw new NotFoundException({ statusCode: HttpStatus.NOT_FOUND, message: 'Registration is turned off.' });
    }
    return { user: await this.users.register(body.email, body.password) };
  }
}
