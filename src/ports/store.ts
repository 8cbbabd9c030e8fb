// The persistence ports composed, for the composition root (src/wiring.ts) and the services that
// use several of them; a service that needs one concept depends on that port alone. src/store
// implements them for SQLite and PostgreSQL, and one test suite runs against both.
import type { EpochStore } from './epoch-store.js';
import type { ModelStore } from './model-store.js';
import type { SearchStore } from './search-store.js';

export interface Store extends SearchStore, EpochStore, ModelStore {
  close(): Promise<void>;
}
