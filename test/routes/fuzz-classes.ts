// Every class of bad request test/routes/fuzz.test.ts generates, each with the exact answer it must
// get: status, error code and, for a 400, the field named. One table, so a change of contract (a
// status, a body limit) is made here once.
import fc from 'fast-check';
import type { SearchLimits } from '../../src/domain/search-spec.js';
import * as gen from './fuzz-arbitraries.js';

export interface Sent { method: 'GET' | 'POST' | 'DELETE'; url: string; payload?: string; contentType?: string; authorization?: string }
export interface Expected { status: number; code: string; field?: string }
export interface Case { req: Sent; expect: Expected }

/** What the generators need from the running app: keys, ids, limits. */
export interface FuzzContext {
  tenant: string; admin: string;
  searchId: string; modelId: string;
  /** Another tenant's search and model: the fuzzing tenant must not see them. */
  otherSearchId: string; otherModelId: string;
  limits: SearchLimits; maxInstances: number; maxJsonDepth: number;
  /** The JSON body limit of each body route (BODY_LIMITS below). */
  bodyLimit: (route: BodyRoute) => number;
}

export interface FuzzClass { name: string; runs: number; cases(c: FuzzContext): fc.Arbitrary<Case> }

/** The expected answers, one place. */
export const EXPECT = {
  invalid: (field: string): Expected => ({ status: 400, code: 'VALIDATION_ERROR', field }),
  notFound: { status: 404, code: 'NOT_FOUND' },
  badUrl: { status: 400, code: 'BAD_REQUEST', field: 'url' },
  uriTooLong: { status: 414, code: 'URI_TOO_LONG', field: 'url' },
  tooLarge: { status: 413, code: 'PAYLOAD_TOO_LARGE', field: 'body' },
  unsupportedType: { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', field: 'body' },
  unauthorized: { status: 401, code: 'UNAUTHORIZED' },
} satisfies Record<string, Expected | ((field: string) => Expected)>;

/** Content types no JSON route parses (POST /models/:id/predict also takes image/png and image/jpeg: not here). */
export const UNSUPPORTED_TYPES = ['application/xml', 'application/x-www-form-urlencoded', 'text/csv', 'application/octet-stream', 'application/json-patch+json'];

const as = (authorization: string) => `Bearer ${authorization}`;
const searchPost = (c: FuzzContext, payload: string): Sent => ({ method: 'POST', url: '/searches', payload, authorization: as(c.tenant) });
const invalidSearch = (arb: (c: FuzzContext) => fc.Arbitrary<gen.Broken>) => (c: FuzzContext) =>
  arb(c).map(({ payload, field }): Case => ({ req: searchPost(c, payload), expect: EXPECT.invalid(field) }));

/** Every route that takes an id, as the fuzzing tenant (DELETE /api-keys/:id as the admin). */
const idRoutes = (c: FuzzContext, id: string): Sent[] => [
  { method: 'GET', url: `/searches/${id}`, authorization: as(c.tenant) },
  { method: 'GET', url: `/searches/${id}/trials`, authorization: as(c.tenant) },
  { method: 'POST', url: `/searches/${id}/cancel`, authorization: as(c.tenant) },
  { method: 'GET', url: `/models/${id}`, authorization: as(c.tenant) },
  { method: 'POST', url: `/models/${id}/predict`, payload: gen.validInstances, authorization: as(c.tenant) },
  { method: 'DELETE', url: `/api-keys/${id}`, authorization: as(c.admin) },
];
const onIdRoutes = (ids: fc.Arbitrary<string>, expect: (id: string) => Expected) => (c: FuzzContext) =>
  fc.tuple(ids, fc.nat(5)).map(([id, r]): Case => ({ req: idRoutes(c, id)[r], expect: expect(id) }));

/** The routes taking a JSON body. */
export const BODY_ROUTES = ['searches', 'predict', 'api-keys'] as const;
export type BodyRoute = (typeof BODY_ROUTES)[number];
/** Each body route's path as Fastify registers it (what its body limit is keyed by). */
export const BODY_ROUTE_URLS: Record<BodyRoute, string> = { searches: '/searches', predict: '/models/:id/predict', 'api-keys': '/api-keys' };
const bodyTarget = (c: FuzzContext, route: BodyRoute): Sent => ({
  searches: { method: 'POST', url: '/searches', authorization: as(c.tenant) } as const,
  predict: { method: 'POST', url: `/models/${c.modelId}/predict`, authorization: as(c.tenant) } as const,
  'api-keys': { method: 'POST', url: '/api-keys', authorization: as(c.admin) } as const,
}[route]);
const onBodies = (bodies: (c: FuzzContext, route: BodyRoute) => fc.Arbitrary<{ payload: string; contentType?: string }>, expect: Expected) => (c: FuzzContext) =>
  fc.constantFrom(...BODY_ROUTES).chain((route) => bodies(c, route).map((b): Case => ({ req: { ...bodyTarget(c, route), ...b }, expect })));

export const CLASSES: FuzzClass[] = [
  { name: 'POST /searches: a value of the wrong JSON type', runs: 500, cases: invalidSearch(() => gen.wrongType) },
  { name: 'POST /searches: a value out of range', runs: 500, cases: invalidSearch((c) => gen.outOfRange(c.limits)) },
  { name: 'POST /searches: a required field missing', runs: 150, cases: invalidSearch(() => gen.missingField) },
  { name: 'POST /searches: an unknown field', runs: 250, cases: invalidSearch(() => gen.unknownField) },
  { name: 'POST /searches: a __proto__ or constructor.prototype key', runs: 150, cases: invalidSearch(() => gen.searchPollution) },
  { name: 'POST /searches: bad algorithm, early-stopping or objective settings', runs: 300, cases: invalidSearch(() => gen.badAlgorithm) },
  { name: 'POST /searches: a reference to an undefined hyperparameter', runs: 150, cases: invalidSearch(() => gen.unknownReference) },
  { name: 'POST /models/:id/predict: wrong shapes, bad pixels, too many instances', runs: 400, cases: (c) => gen.badPredictBody(c.maxInstances).map(({ payload, field }) => ({
    req: { method: 'POST', url: `/models/${c.modelId}/predict`, payload, authorization: as(c.tenant) }, expect: EXPECT.invalid(field) })) },
  { name: 'POST /models/:id/predict: an image/png or image/jpeg body that is no such image', runs: 60, cases: (c) => fc.record({
    contentType: fc.constantFrom('image/png', 'image/jpeg'), payload: fc.string({ minLength: 1, maxLength: 100 }) }).map(({ contentType, payload }): Case => ({
    req: { method: 'POST', url: `/models/${c.modelId}/predict`, payload, contentType, authorization: as(c.tenant) }, expect: EXPECT.invalid('image') })) },
  { name: 'POST /api-keys: bad or missing tenant or name, extra fields', runs: 250, cases: (c) => gen.badApiKeyBody.map(({ payload, field }) => ({
    req: { method: 'POST', url: '/api-keys', payload, authorization: as(c.admin) }, expect: EXPECT.invalid(field) })) },
  { name: 'unknown ids on every id route', runs: 300, cases: onIdRoutes(gen.unknownId, () => EXPECT.notFound) },
  { name: "another tenant's search and model ids", runs: 150, cases: (c) => fc.tuple(fc.nat(4), fc.boolean()).map(([r, search]): Case => ({
    req: idRoutes(c, search ? c.otherSearchId : c.otherModelId)[r], expect: EXPECT.notFound })) },
  { name: 'ids with characters outside [A-Za-z0-9_-] (traversal included)', runs: 300, cases: onIdRoutes(gen.badIdChars, () => EXPECT.invalid('params.id')) },
  { name: 'ids longer than a path segment may be', runs: 60, cases: onIdRoutes(gen.longId, () => EXPECT.uriTooLong) },
  { name: 'ids with a malformed percent-encoding', runs: 60, cases: onIdRoutes(gen.badEncoding, () => EXPECT.badUrl) },
  { name: 'bodies that are not JSON', runs: 300, cases: onBodies(() => gen.malformedJson.map((payload) => ({ payload, contentType: 'application/json' })), EXPECT.invalid('body')) },
  { name: 'bodies nested past the depth limit', runs: 60, cases: onBodies((c) => gen.deepJson(c.maxJsonDepth, Math.min(...BODY_ROUTES.map(c.bodyLimit))).map((payload) => ({ payload })), EXPECT.invalid('body')) },
  { name: 'bodies over the size limit', runs: 60, cases: onBodies((c, route) => gen.oversized(c.bodyLimit(route)).map((payload) => ({ payload })), EXPECT.tooLarge) },
  { name: 'bodies of a content type no route parses', runs: 150, cases: onBodies(() => fc.record({ contentType: fc.constantFrom(...UNSUPPORTED_TYPES), payload: fc.string({ maxLength: 100 }) }), EXPECT.unsupportedType) },
  { name: 'missing, malformed and unknown keys on every route', runs: 400, cases: (c) => fc.tuple(gen.badAuthorization, fc.constantFrom('/searches', `/searches/${c.searchId}`, `/models/${c.modelId}`, '/api-keys', '/nothing-here'))
    .map(([authorization, url]): Case => ({ req: { method: 'GET', url, authorization }, expect: EXPECT.unauthorized })) },
];
