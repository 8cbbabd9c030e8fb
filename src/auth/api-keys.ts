// API keys: issuing, listing and revoking tenant keys, and telling who a bearer token belongs to.
// A key is 256 random bits; only its sha256 is stored, so a leaked database holds no usable key.
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { NotFoundError, ValidationError } from '../domain/errors.js';
import type { ApiKeyRecord, ApiKeyStore } from '../ports/api-key-store.js';
import { decodeTimeCursor, encodeTimeCursor, pageRequest, pageView, type PageQuery, type PageView } from '../services/page-cursor.js';
import { UnauthorizedError } from './errors.js';

/** Who a request comes from once its key checked out. */
export type Principal = { kind: 'admin' } | { kind: 'tenant'; tenant: string; keyId: string };

export interface ApiKeyView {
  id: string;
  tenant: string;
  name: string;
  prefix: string;
  createdAt: string;
  revokedAt: string | null;
}

const KEY_PREFIX = 'htk_';
/** Tenants name data partitions and appear in logs: keep them to a safe, boring alphabet. */
export const TENANT_PATTERN = '^[a-z0-9][a-z0-9_-]{0,63}$';
const TENANT = new RegExp(TENANT_PATTERN);
/** Longer than any key we issue or accept as admin key, short enough to hash cheaply. */
const MAX_TOKEN_LENGTH = 512;

const sha256 = (s: string) => createHash('sha256').update(s).digest();

export class ApiKeyService {
  private readonly adminDigest: Buffer | null;

  constructor(private readonly store: ApiKeyStore, adminApiKey: string | null) {
    this.adminDigest = adminApiKey ? sha256(adminApiKey) : null;
  }

  /** Issues a key for a tenant; the key itself is in this answer only. */
  async create(input: { tenant: string; name: string }): Promise<ApiKeyView & { key: string }> {
    if (!TENANT.test(input.tenant)) throw new ValidationError('tenant', 'must be 1 to 64 lowercase letters, digits, _ or -, starting with a letter or digit');
    const key = KEY_PREFIX + randomBytes(32).toString('base64url');
    const record = await this.store.createApiKey({
      id: randomUUID(), tenant: input.tenant, name: input.name, keyHash: sha256(key).toString('hex'), prefix: key.slice(0, 12),
    });
    return { ...view(record), key };
  }

  /** A page, oldest first, revoked keys included. */
  async list(query: PageQuery): Promise<PageView<ApiKeyView>> {
    return pageView(await this.store.listApiKeys(pageRequest(query, decodeTimeCursor)), view, encodeTimeCursor);
  }

  /** Revoked keys stop working at once (keys are looked up on every request, never cached). */
  async revoke(id: string): Promise<ApiKeyView> {
    const record = await this.store.revokeApiKey(id, new Date());
    if (!record) throw new NotFoundError('api key', id);
    return view(record);
  }

  /** The principal behind an `Authorization` header value; one message for every failure. */
  async authenticate(header: string | undefined): Promise<Principal> {
    const token = /^Bearer +(\S+)$/i.exec(header ?? '')?.[1];
    if (!token || token.length > MAX_TOKEN_LENGTH) throw unauthorized(header === undefined);
    const digest = sha256(token);
    // Constant-time against the admin key; the tenant lookup is by the hash of a 256-bit secret,
    // so how long it takes tells an attacker nothing about any key.
    if (this.adminDigest && timingSafeEqual(digest, this.adminDigest)) return { kind: 'admin' };
    if (!token.startsWith(KEY_PREFIX)) throw unauthorized(false);
    const record = await this.store.findApiKeyByHash(digest.toString('hex'));
    if (!record || record.revokedAt) throw unauthorized(false);
    return { kind: 'tenant', tenant: record.tenant, keyId: record.id };
  }
}

function unauthorized(missing: boolean): UnauthorizedError {
  return new UnauthorizedError(missing
    ? "authentication required: send 'Authorization: Bearer <API key>'"
    : 'invalid, unknown or revoked API key');
}

function view(r: ApiKeyRecord): ApiKeyView {
  return { id: r.id, tenant: r.tenant, name: r.name, prefix: r.prefix, createdAt: r.createdAt.toISOString(), revokedAt: r.revokedAt?.toISOString() ?? null };
}
