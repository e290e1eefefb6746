import type { ArgumentMetadata, ExecutionContext, PipeTransform, Type } from '@nestjs/common';
import { PIPES_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import type { HttpRequest } from './http-edge.js';

/** A request with what Nest's `@Query()` and `@Param()` read, on either platform. */
export interface InputRequest extends HttpRequest {
  query?: unknown;
  params?: unknown;
}

/** One `@Body()`, `@Query()` or `@Param()` of a handler, with the pipes of the handler's own that read it. */
interface InputParameter {
  metadata: ArgumentMetadata;
  pipes: PipeTransform[];
}

const INPUT_TYPES = new Map<number, ArgumentMetadata['type']>([
  [RouteParamtypes.BODY, 'body'],
  [RouteParamtypes.QUERY, 'query'],
  [RouteParamtypes.PARAM, 'param'],
]);

/**
 * Runs the library's own pipes on a request's input as the client sent it, before any pipe of the
 * host. Nest runs global pipes (`app.useGlobalPipes()`, `APP_PIPE`) on every route, the library's
 * included, and before the route's own: a host's `ValidationPipe` with `transformOptions:
 * { enableImplicitConversion: true }` turned `dryRun: ""` into `false` before the library's validation
 * saw it, and a malformed dry run revoked for real. Checked here (a guard's step, before every pipe),
 * a wrong type is the library's 400 whatever the host's pipes would make of it; the route's pipes
 * then run again on what the host's pipes hand on, as Nest runs them.
 */
export class RouteInput {
  private readonly plans = new WeakMap<object, InputParameter[]>();

  /** Throws the route's 400 when its raw input is not what its pipes accept; nothing when there is nothing to check. */
  check(context: ExecutionContext, req: InputRequest): Promise<void> | undefined {
    const parameters = this.planOf(context);
    return parameters.length === 0 ? undefined : checkAll(parameters, req);
  }

  private planOf(context: ExecutionContext): InputParameter[] {
    const handler = context.getHandler();
    let plan = this.plans.get(handler);
    if (!plan) {
      plan = inputParametersOf(context.getClass(), handler);
      this.plans.set(handler, plan);
    }
    return plan;
  }
}

async function checkAll(parameters: InputParameter[], req: InputRequest): Promise<void> {
  for (const { metadata, pipes } of parameters) {
    let value = rawInput(req, metadata);
    for (const pipe of pipes) value = await pipe.transform(value, metadata);
  }
}

function rawInput(req: InputRequest, metadata: ArgumentMetadata): unknown {
  const whole = metadata.type === 'body' ? req.body : metadata.type === 'query' ? req.query : req.params;
  if (metadata.data === undefined) return whole;
  return typeof whole === 'object' && whole !== null ? (whole as Record<string, unknown>)[metadata.data] : undefined;
}

/** The handler's body, query and path parameters with the pipe instances of its class, its method and the parameter, in Nest's order. */
function inputParametersOf(type: Type, handler: object): InputParameter[] {
  const name = Object.getOwnPropertyNames(type.prototype).find((key) => (type.prototype as Record<string, unknown>)[key] === handler);
  if (name === undefined) return [];
  const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, type, name) as Record<string, { index: number; data?: unknown; pipes?: unknown[] }> | undefined) ?? {};
  const paramTypes = (Reflect.getMetadata('design:paramtypes', type.prototype as object, name) as Array<Type | undefined> | undefined) ?? [];
  const routePipes = [...pipesOf(type), ...pipesOf(handler)];
  const parameters: InputParameter[] = [];
  for (const [key, arg] of Object.entries(args)) {
    const inputType = INPUT_TYPES.get(Number(key.split(':')[0]));
    if (!inputType) continue;
    const pipes = [...routePipes, ...instances(arg.pipes ?? [])];
    if (pipes.length === 0) continue;
    parameters.push({
      metadata: { type: inputType, metatype: paramTypes[arg.index], ...(typeof arg.data === 'string' ? { data: arg.data } : {}) },
      pipes,
    });
  }
  return parameters;
}

function pipesOf(target: object): PipeTransform[] {
  return instances((Reflect.getMetadata(PIPES_METADATA, target) as unknown[] | undefined) ?? []);
}

/** The pipes given as instances: the library gives its own that way (a class would be the host's to resolve). */
function instances(pipes: unknown[]): PipeTransform[] {
  return pipes.filter((pipe): pipe is PipeTransform => typeof (pipe as PipeTransform | null)?.transform === 'function');
}
