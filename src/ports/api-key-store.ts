// The API-key port. Apart from the Store because only the API process needs it (workers never
// authenticate).
import type { Page, PageRequest, TimeKey } from './page.js';

/** A key as listed: never the key itself, which is shown once at creation and stored only hashed. */
export interface ApiKeyRecord {
  id: string;
  tenant: string;
  name: string;
  /** The key's first characters, so an operator can tell keys apart without seeing them. */
  prefix: string;
  createdAt: Date;
  revokedAt: Date | null;
}

export interface ApiKeyStore {
  createApiKey(input: { id: string; tenant: string; name: string; keyHash: string; prefix: string }): Promise<ApiKeyRecord>;
  /** The key whose sha256 is `keyHash`, revoked or not. */
  findApiKeyByHash(keyHash: string): Promise<ApiKeyRecord | null>;
  /** A page, oldest first (createdAt, then id). */
  listApiKeys(page: PageRequest<TimeKey>): Promise<Page<ApiKeyRecord, TimeKey>>;
  /** Marks the key revoked (once: a second revoke keeps the first time); null when there is no such key. */
  revokeApiKey(id: string, at: Date): Promise<ApiKeyRecord | null>;
}
