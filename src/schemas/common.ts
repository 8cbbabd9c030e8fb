// Schema pieces shared by every route. One TypeBox schema per route gives validation, response
// serialization, static types and (later) OpenAPI.
import { Type, type Static, type TSchema } from 'typebox';

export const ErrorBody = Type.Object({
  error: Type.Object({
    code: Type.String(),
    message: Type.String(),
    details: Type.Optional(Type.Unknown()),
  }),
});

// Ids are ours (UUIDs): anything else, `../` and NUL included, is refused before it reaches a query.
export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9_-]+$', description: "letters, digits, '_' and '-' only" }) });

/**
 * `Assert<SameShape<Static<typeof Schema>, DomainType>>` compiles only while the two accept the same
 * values: where the domain's type is the source, its schema cannot drift from it.
 */
export type SameShape<A, B> = Mutual<A, B> extends true ? Mutual<Filled<A>, Filled<B>> : false;
type Mutual<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Every optional field made required, at every depth, so a field one side lacks is a difference too. */
type Filled<T> = T extends object ? { [K in keyof T]-?: Filled<T[K]> } : T;
export type Assert<T extends true> = T;

/** Ajv's discriminator: a bad member reports against the branch its `type` names, not every branch. */
export function taggedUnion<T extends TSchema[]>(members: [...T]) {
  return Type.Unsafe<Static<T[number]>>({ type: 'object', required: ['type'], discriminator: { propertyName: 'type' }, oneOf: members });
}

/**
 * Free text we store. PostgreSQL cannot hold NUL in text or JSONB, nor an unpaired UTF-16
 * surrogate (it is not Unicode), so both are refused here, on every backend alike.
 */
const STORABLE_TEXT = { pattern: '^[^\\u0000\\uD800-\\uDFFF]*$', description: 'text without NUL characters or unpaired surrogates' };
export const Name = Type.String({ minLength: 1, maxLength: 200, ...STORABLE_TEXT });
export const FiniteNumber = Type.Number();
export const HpValue = Type.Union([Type.Number(), Type.String({ maxLength: 200, ...STORABLE_TEXT }), Type.Boolean()]);
export const HpValues = Type.Record(Type.String(), HpValue);

/**
 * `?cursor=&limit=` of every list. Query strings are not converted (coerceTypes: false), so limit
 * is the digits; the service parses and bounds it. Any other parameter is a 400 naming it.
 */
export const PageQuery = Type.Object({
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 512, description: 'the nextCursor of the previous page; absent: the first page' })),
  limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,3}$', description: 'an integer from 1 to 200 (default 50): items per page' })),
}, { additionalProperties: false });

/** A list's answer beside its items: where the next page starts. */
export const NextCursor = Type.Union([Type.String(), Type.Null()], { description: 'pass as ?cursor= for the next page; null on the last page' });
