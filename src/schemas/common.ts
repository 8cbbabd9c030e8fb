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

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }) });
export type IdParamsT = Static<typeof IdParams>;

/** Ajv's discriminator: a bad member reports against the branch its `type` names, not every branch. */
export function taggedUnion<T extends TSchema[]>(members: [...T]) {
  return Type.Unsafe<Static<T[number]>>({ type: 'object', required: ['type'], discriminator: { propertyName: 'type' }, oneOf: members });
}

export const Name = Type.String({ minLength: 1, maxLength: 200 });
export const FiniteNumber = Type.Number();
export const HpValue = Type.Union([Type.Number(), Type.String({ maxLength: 200 }), Type.Boolean()]);
export const HpValues = Type.Record(Type.String(), HpValue);
