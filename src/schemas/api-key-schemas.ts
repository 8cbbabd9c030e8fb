// The /api-keys contract (admin key only). A key's secret appears in the create answer only.
import { Type } from 'typebox';
import { TENANT_PATTERN } from '../auth/api-keys.js';
import { ErrorBody, IdParams, Name, NextCursor, PageQuery } from './common.js';

export const CreateApiKeyBody = Type.Object({
  tenant: Type.String({ pattern: TENANT_PATTERN, description: "1 to 64 lowercase letters, digits, '_' or '-', starting with a letter or digit" }),
  name: Name,
}, { additionalProperties: false });

export const ApiKeyResponse = Type.Object({
  id: Type.String(),
  tenant: Type.String(),
  name: Type.String(),
  prefix: Type.String({ description: "the key's first characters, to tell keys apart" }),
  createdAt: Type.String(),
  revokedAt: Type.Union([Type.String(), Type.Null()]),
});

export const CreatedApiKeyResponse = Type.Object({
  ...ApiKeyResponse.properties,
  key: Type.String({ description: "the key itself: send it as 'Authorization: Bearer <key>'; shown only here" }),
});

const tags = ['api-keys'];
const security = [{ bearerAuth: [] }];
export const createApiKeySchema = {
  tags, security, summary: 'Issue a key for a tenant (admin key); the answer is the only place the key appears',
  body: CreateApiKeyBody, response: { 201: CreatedApiKeyResponse, '4xx': ErrorBody },
};
export const listApiKeysSchema = {
  tags, security, summary: 'Every key, revoked ones included, oldest first, without secrets (admin key)',
  description: 'Paginated: `?limit=` (1 to 200, default 50), then `?cursor=` the `nextCursor` of the previous page until it is null.',
  querystring: PageQuery,
  response: { 200: Type.Object({ apiKeys: Type.Array(ApiKeyResponse), nextCursor: NextCursor }), '4xx': ErrorBody },
};
export const revokeApiKeySchema = {
  tags, security, summary: 'Revoke a key: requests with it answer 401 from now on (admin key)',
  params: IdParams, response: { 200: ApiKeyResponse, '4xx': ErrorBody },
};
