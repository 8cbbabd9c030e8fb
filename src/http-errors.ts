// The one place errors become HTTP responses. 5xx details never leave the process.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ForbiddenError, RateLimitedError, UnauthorizedError } from './auth/errors.js';
import { ConflictError, DomainError, NotFoundError, QuotaExceededError, TrainingError, ValidationError } from './domain/errors.js';

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
  [QuotaExceededError, 409],
  [TrainingError, 422],
  [RateLimitedError, 429],
];

/** `/hyperparameters/0/min` → `hyperparameters[0].min`, the notation of domain errors. */
function fieldOf(prefix: string, instancePath: string, missing?: string): string {
  const parts = instancePath.split('/').filter(Boolean);
  if (missing) parts.push(missing);
  // A query parameter is named by itself, as a body field is.
  const root = prefix === 'body' || prefix === 'querystring' ? '' : prefix;
  return parts.reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), root) || prefix;
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
    const context = fe.validationContext ?? 'body';
    // An unknown query parameter is named itself: the query string has no parent field to name.
    const unknownParam = context === 'querystring' && !v.instancePath ? params.additionalProperty : undefined;
    const field = unknownParam ?? fieldOf(context, v.instancePath, params.missingProperty ?? params.tag);
    let reason = v.message ?? 'is invalid';
    if (params.missingProperty) reason = 'is required';
    if (params.additionalProperty) reason = unknownParam ? 'is not a query parameter of this route' : `unknown field '${params.additionalProperty}'`;
    if (params.allowedValues) reason += `: ${params.allowedValues.map((x) => JSON.stringify(x)).join(', ')}`;
    // A pattern is no explanation; the schema's description says what the field must be.
    const description = (v as { parentSchema?: { description?: string } }).parentSchema?.description;
    if (v.keyword === 'pattern' && description) reason = `must be ${description}`;
    if (params.tag) reason = `${params.tagValue === undefined ? 'is required' : `unknown value ${JSON.stringify(params.tagValue)}`}; expected one of ${tagsOf((v as { parentSchema?: unknown }).parentSchema).join(', ')}`;
    return { status: 400, body: { error: { code: 'VALIDATION_ERROR', message: `${field}: ${reason}`, details: { field, reason } } } };
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    // Our own status-carrying errors (src/datasets/limits.ts, src/routes/multipart-form.ts) say it in our words already.
    if (fe.code !== undefined && OWN_CODES.has(fe.code)) return { status: fe.statusCode, body: { error: { code: fe.code, message: fe.message } } };
    // Fastify's and its plugins' (FST_*): our wording, never theirs.
    // The library's status stands (a 403 stays a 403); only its words are replaced.
    const [code, message] = FRAMEWORK_ERRORS[fe.code ?? ''] ?? BY_STATUS[fe.statusCode] ?? ['BAD_REQUEST', 'the request cannot be served'];
    return { status: fe.statusCode, body: { error: { code, message } } };
  }
  return { status: 500, body: { error: { code: 'INTERNAL', message: 'internal server error' } } };
}

const OWN_CODES = new Set(['PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE']);

/** Fastify's and @fastify/multipart's 4xx errors, by code: [our code, our message]. */
const FRAMEWORK_ERRORS: Record<string, [string, string]> = {
  FST_ERR_BAD_URL: ['BAD_REQUEST', 'url: is not a valid URL (a malformed percent-encoding)'],
  FST_ERR_MAX_PARAM_LENGTH: ['URI_TOO_LONG', 'url: a path segment is too long'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ['UNSUPPORTED_MEDIA_TYPE', 'body: its content-type is not one this route accepts'],
  FST_ERR_CTP_BODY_TOO_LARGE: ['PAYLOAD_TOO_LARGE', 'body: exceeds the size limit (BODY_LIMIT_BYTES)'],
  FST_ERR_CTP_EMPTY_JSON_BODY: ['VALIDATION_ERROR', 'body: is empty, but content-type is application/json'],
  FST_ERR_CTP_INVALID_JSON_BODY: ['VALIDATION_ERROR', 'body: is not valid JSON (or holds a __proto__ or constructor.prototype key)'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: ['BAD_REQUEST', 'body: its length differs from the content-length header'],
  FST_REQ_FILE_TOO_LARGE: ['PAYLOAD_TOO_LARGE', 'body: a file exceeds the size limit'],
  FST_PARTS_LIMIT: ['PAYLOAD_TOO_LARGE', 'body: the form has too many parts'],
  FST_FILES_LIMIT: ['PAYLOAD_TOO_LARGE', 'body: the form has too many files'],
  FST_FIELDS_LIMIT: ['PAYLOAD_TOO_LARGE', 'body: the form has too many fields'],
  FST_PROTO_VIOLATION: ['VALIDATION_ERROR', 'body: a form field is named __proto__ or constructor'],
  FST_INVALID_MULTIPART_CONTENT_TYPE: ['UNSUPPORTED_MEDIA_TYPE', 'body: is not multipart/form-data'],
  FST_INVALID_JSON_FIELD_ERROR: ['VALIDATION_ERROR', 'body: a JSON form field is not valid JSON'],
};

/** Any other 4xx from a library, by status. */
const BY_STATUS: Record<number, [string, string]> = {
  400: ['BAD_REQUEST', 'the request is malformed'],
  403: ['FORBIDDEN', 'forbidden'],
  404: ['NOT_FOUND', 'not found'],
  405: ['METHOD_NOT_ALLOWED', 'method not allowed'],
  406: ['NOT_ACCEPTABLE', 'the request cannot be answered in an acceptable form'],
  408: ['REQUEST_TIMEOUT', 'the request took too long to arrive'],
  413: ['PAYLOAD_TOO_LARGE', 'body: is too large'],
  414: ['URI_TOO_LONG', 'url: is too long'],
  415: ['UNSUPPORTED_MEDIA_TYPE', 'body: its content-type is not one this route accepts'],
  431: ['HEADERS_TOO_LARGE', 'the request headers are too large'],
};

export function errorHandler(err: unknown, req: FastifyRequest, reply: FastifyReply) {
  const { status, body } = toErrorResponse(err);
  if (status >= 500) req.log.error({ err }, 'request failed');
  // What the library said (a Fastify code, JSZip's or libvips' text) stays here, in the log.
  else req.log.info({ code: body.error.code, message: body.error.message, cause: libraryText(err) }, 'request rejected');
  return reply.status(status).send(body);
}

function libraryText(err: unknown): string | undefined {
  if (err instanceof DomainError) return err.cause instanceof Error ? err.cause.message : undefined;
  const fe = err as FastifyError;
  return fe.validation || OWN_CODES.has(fe.code) ? undefined : `${fe.code ?? ''} ${fe.message ?? ''}`.trim();
}

export function notFoundHandler(req: FastifyRequest, reply: FastifyReply) {
  return reply.status(404).send({ error: { code: 'NOT_FOUND', message: `route ${req.method} ${req.url.split('?')[0]} not found` } });
}
