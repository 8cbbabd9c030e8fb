// Moved to src/ports/ (split by concept); re-exported until every import points there.
export type * from '../ports/epoch-store.js';
export type * from '../ports/model-store.js';
export type * from '../ports/search-store.js';
export type * from '../ports/store.js';
