import { BadRequestException, HttpCode, HttpStatus, PayloadTooLargeException, Post, Req, UseInterceptors, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ApiAcceptedResponse, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/api-errors.js';
import { BodyMediaTypes, CsrfExempt, Public } from '../edge/auth.decorators.js';
import { ANY_BODY } from '../edge/request-body.js';
import { HttpEdge, type HttpRequest } from '../edge/http-edge.js';
import { StoreUnavailableInterceptor } from '../edge/store-unavailable.interceptor.js';
import { acceptTextBodies, BodyTooLargeError, readTextBody } from '../edge/text-body.js';
import { ApiSpecError, SharedSignalsErrorDto, SSO_OFF, SSO_UNAVAILABLE } from './dto/sso.responses.js';
import { OidcProviders } from './oidc-providers.js';
import { SharedSignalsService } from './shared-signals.service.js';
import { IdpTokenRejectedError } from './sso.errors.js';
import { LibraryController } from '../edge/library-routes.guard.js';

const SET_MEDIA_TYPE = 'application/secevent+jwt';
const MAX_SET_BYTES = 16_384;

/**
 * Shared Signals push delivery (RFC 8935): one SET per request, 202 once applied, 400
 * `{err, description}` (§2.3) when refused. Server to server: exempt from the XSRF and Origin
 * rules; the signed SET is the only authentication.
 */
@ApiTags('sso')
@LibraryController('auth/oidc')
@UseInterceptors(StoreUnavailableInterceptor)
export class SharedSignalsController implements OnModuleInit {
  constructor(
    private readonly providers: OidcProviders,
    private readonly signals: SharedSignalsService,
    private readonly adapterHost: HttpAdapterHost,
    private readonly edge: HttpEdge,
  ) {}

  onModuleInit(): void {
    acceptTextBodies(this.adapterHost, SET_MEDIA_TYPE, MAX_SET_BYTES);
  }

  @ApiOperation({ summary: 'SSF push: a body of application/secevent+jwt; 202, or 400 {err: "invalid_request", description}.' })
  @ApiConsumes(SET_MEDIA_TYPE)
  @ApiAcceptedResponse({ description: 'The event was verified and applied.' })
  @ApiSpecError(
    400,
    SharedSignalsErrorDto,
    'The Security Event Token was refused (RFC 8935 body), or more session cookies than the library reads; nothing changed.',
  )
  @ApiSpecError(413, SharedSignalsErrorDto, 'The token is larger than 16 KiB (RFC 8935 body), or the body is larger than the host accepts.')
  @ApiErrors(SSO_OFF, 415, SSO_UNAVAILABLE)
  @Public()
  @CsrfExempt()
  // Checks its body's media type itself, to answer in its specification's error shape.
  @BodyMediaTypes(ANY_BODY)
  @Post('ssf')
  @HttpCode(HttpStatus.ACCEPTED)
  async receive(@Req() req: HttpRequest): Promise<void> {
    this.providers.defaultProvider();
    try {
      const type = req.headers['content-type'];
      if (typeof type !== 'string' || type.split(';')[0].trim().toLowerCase() !== SET_MEDIA_TYPE) {
        throw new IdpTokenRejectedError(`the body must be one SET of type ${SET_MEDIA_TYPE}`);
      }
      await this.signals.receive((await readTextBody(req, MAX_SET_BYTES)).trim(), this.edge.clientContext(req));
    } catch (error) {
      if (error instanceof BodyTooLargeError) throw new PayloadTooLargeException({ err: 'invalid_request', description: error.message });
      if (error instanceof IdpTokenRejectedError) throw new BadRequestException({ err: 'invalid_request', description: error.description });
      throw error;
    }
  }
}
