// The one place errors become HTTP responses. 5xx details never leave the process.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ConflictError, DomainError, NotFoundError, TrainingError, ValidationError } from './domain/errors.js';

export interface ErrorResponse {
  status: number;
  body: { error: { code: string; message: string; details?: unknown } };
}

const STATUS_OF: [new (...args: never[]) => DomainError, number][] = [
  [ValidationError, 400],
  [NotFoundError, 404],
  [ConflictError, 409],
  [TrainingError, 422],
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

export function toErrorResponse(err: unknown): ErrorResponse {
  if (err instanceof DomainError) {
    const status = STATUS_OF.find(([cls]) => err instanceof cls)?.[1] ?? 500;
    if (status < 500) return { status, body: { error: { code: err.code, message: err.message, details: err.details } } };
  }
  const fe = err as FastifyError;
  if (fe.validation?.length) {
    const v = fe.validation[0];
    const params = v.params as { missingProperty?: string; additionalProperty?: string; allowedValues?: unknown[]; tag?: string; tagValue?: unknown };
    const field = fieldOf(fe.validationContext ?? 'body', v.instancePath, params.missingProperty ?? params.tag);
    let reason = v.message ?? 'is invalid';
    if (params.missingProperty) reason = 'is required';
    if (params.additionalProperty) reason = `unknown field '${params.additionalProperty}'`;
    if (params.allowedValues) reason += `: ${params.allowedValues.map((x) => JSON.stringify(x)).join(', ')}`;
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
