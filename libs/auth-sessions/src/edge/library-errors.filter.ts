import { Catch, HttpException } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';

/**
 * The library's routes answer their refusals (every `HttpException`: 400, 401 with its `code` and
 * `reason`, 403 `reauth_required`, 409, 415, 429, 503, …) in the contract's shape, whatever catch-all
 * exception filter the host binds globally. Nest picks a route's own filter before a global one, so a
 * host filter that reshapes every error (`{ error: { status, message } }`) no longer strips the `code`
 * the console and API clients act on (a step-up prompt on `reauth_required`, "signed out because…"
 * from `reason`). Anything else (a 500) is not caught here: it still reaches the host's filters,
 * error reporting included. Bound to each library controller by `@LibraryController()`.
 */
@Catch(HttpException)
export class LibraryErrorsFilter extends BaseExceptionFilter {}
