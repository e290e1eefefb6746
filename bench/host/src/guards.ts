import { type CanActivate, type ExecutionContext, Injectable, SetMetadata, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { PassportStrategy } from '@nestjs/passport';
import { AuthGuard } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';

/**
 * (b) The stateless design a Nest team would otherwise pick (the Nest docs' passport-jwt recipe):
 * the signature and `exp` are checked, nothing else, so a revoked token works until it expires.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy) {
  constructor() {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: process.env['BENCH_JWT_SECRET']!,
      algorithms: ['HS256'],
      ignoreExpiration: false,
    });
  }

  validate(payload: { sub: string }): { id: string } {
    return { id: payload.sub };
  }
}

/** The global guard of variant (b). */
@Injectable()
export class JwtGuard extends AuthGuard('jwt') {}

export const OPEN_ROUTE = 'bench:open';
/** Lets a route of variant (e) through without a session (its login). */
export const Open = () => SetMetadata(OPEN_ROUTE, true);

/**
 * (e) The store-per-request design: express-session with connect-redis loads the session on
 * every request (GET) and, with `resave: false`, refreshes its TTL afterwards (EXPIRE): no window.
 */
@Injectable()
export class StoreSessionGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (this.reflector.getAllAndOverride<boolean>(OPEN_ROUTE, [context.getHandler(), context.getClass()])) return true;
    const req = context.switchToHttp().getRequest<{ session?: { userId?: string } }>();
    if (req.session?.userId) return true;
    throw new UnauthorizedException();
  }
}

/**
 * (f) The floor: a global guard that lets everything through without reading anything. What Nest's
 * guard machinery alone costs a route, the part of any guard's cost no guard can avoid.
 *
 * With `BENCH_SPIN_NS` set it is the calibration guard instead: it burns exactly that much CPU per
 * request (a busy wait on the monotonic clock) and lets the request through, so a run shows what a
 * known per-request cost does to throughput on this machine.
 */
@Injectable()
export class EmptyGuard implements CanActivate {
  private readonly spinNs = BigInt(process.env['BENCH_SPIN_NS'] ?? '0');

  canActivate(): boolean {
    if (this.spinNs > 0n) {
      const until = process.hrtime.bigint() + this.spinNs;
      while (process.hrtime.bigint() < until) {
        // burning CPU on purpose
      }
    }
    return true;
  }
}
