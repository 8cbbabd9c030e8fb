// The one place errors become HTTP responses. 5xx details never leave the process.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ForbiddenError, RateLimitedError, UnauthorizedError } from './auth/errors.js';
import { ConflictError, DomainError, NotFoundError, TrainingError, ValidationError } from './domain/errors.js';

export interface ErrorResponse {
  status: number;
  body: { error: { code: string; message: string; details?: unknown } };
}

const STATUS_OF: [new (...args: never[]) => DomainError, number][] = [
  [ValidationError, 400],
  [UnauthorizedError, 401],
  [ForbiddenError, 403],
  [NotFoundError, 404],
  [ConflictError, 409],
  [TrainingError, 422],
  [RateLimitedError, 429],
];

/** `/hyperparameters/0/min` → `hyperparameters[0].min`, the notation of domain errors. */
function fieldOf(prefix: string, instancePath: string, missing?: string): string {
  const parts = instancePath.split('/').filter(Boolean);
  if (missing) parts.push(missing);
  return parts.reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), prefix === 'body' ? '' : prefix) || prefix;
}

/** The tags a discriminated union accepts (Ajv's verbose errors carry the schema). */
function tagsOf(schema: unknown): string[] {
  const { oneOf = [], discriminator } = (schema ?? {}) as { oneOf?: { properties?: Record<string, { const?: string }> }[]; discriminator?: { propertyName: string } };
  return oneOf.map((m) => m.properties?.[discriminator?.propertyName ?? 'type']?.const).filter((t): t is string => !!t);
}

type AjvError = NonNullable<FastifyError['validation']>[number];

/**
 * The error to report. For a union (anyOf) Ajv lists every branch's failure, then 'anyOf'; the
 * first branch's ("must be number" for a bad string) misleads. Report the branch that got
 * furthest into the value, else the one whose type matched, else what the union accepts.
 */
function pickError(errors: AjvError[]): AjvError {
  const union = errors.findIndex((e) => e.keyword === 'anyOf');
  if (union < 0) return errors[0];
  const at = errors[union].instancePath;
  const branches = errors.slice(0, union).filter((e) => e.instancePath.startsWith(at));
  const deeper = branches.filter((e) => e.instancePath.length > at.length);
  if (deeper.length) return deeper[deeper.length - 1];
  const matched = branches.find((e) => e.keyword !== 'type' && e.keyword !== 'const');
  if (matched) return matched;
  const consts = branches.filter((e) => e.keyword === 'const').map((e) => JSON.stringify((e.params as { allowedValue?: unknown }).allowedValue));
  const types = [...new Set(branches.filter((e) => e.keyword === 'type').map((e) => String((e.params as { type?: unknown }).type)))];
  const accepts = [...consts, ...types].join(', ');
  return { ...errors[union], params: {}, message: accepts ? `must be one of: ${accepts}` : errors[union].message };
}

export function toErrorResponse(err: unknown): ErrorResponse {
  if (err instanceof DomainError) {
    const status = STATUS_OF.find(([cls]) => err instanceof cls)?.[1] ?? 500;
    if (status < 500) return { status, body: { error: { code: err.code, message: err.message, details: err.details } } };
  }
  const fe = err as FastifyError;
  if (fe.validation?.length) {
    const v = pickError(fe.validation);
    const params = v.params as { missingProperty?: string; additionalProperty?: string; allowedValues?: unknown[]; tag?: string; tagValue?: unknown };
    const field = fieldOf(fe.validationContext ?? 'body', v.instancePath, params.missingProperty ?? params.tag);
    let reason = v.message ?? 'is invalid';
    if (params.missingProperty) reason = 'is required';
    if (params.additionalProperty) reason = `unknown field '${params.additionalProperty}'`;
    if (params.allowedValues) reason += `: ${params.allowedValues.map((x) => JSON.stringify(x)).join(', ')}`;
    // A pattern is no explanation; the schema's description says what the field must be.
    const description = (v as { parentSchema?: { description?: string } }).parentSchema?.description;
    if (v.keyword === 'pattern' && description) reason = `must be ${description}`;
    if (params.tag) reason = `${params.tagValue === undefined ? 'is required' : `unknown value ${JSON.stringify(params.tagValue)}`}; expected one of ${tagsOf((v as { parentSchema?: unknown }).parentSchema).join(', ')}`;
    return { status: 400, body: { error: { code: 'VALIDATION_ERROR', message: `${field}: ${reason}`, details: { field, reason } } } };
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500)
    return { status: fe.statusCode, body: { error: { code: fe.code ?? 'BAD_REQUEST', message: fe.message } } };
  return { status: 500, body: { error: { code: 'INTERNAL', message: 'internal server error' } } };
}

export function errorHandler(err: unknown, req: FastifyRequest, reply: FastifyReply) {
  const { status, body } = toErrorResponse(err);
  if (status >= 500) req.log.error({ err }, 'request failed');
  else req.log.info({ code: body.error.code, message: body.error.message }, 'request rejected');
  return reply.status(status).send(body);
}

export function notFoundHandler(req: FastifyRequest, reply: FastifyReply) {
  return reply.status(404).send({ error: { code: 'NOT_FOUND', message: `route ${req.method} ${req.url.split('?')[0]} not found` } });
}
