// Moved to src/ports/dataset-store.ts (the port) and prisma-dataset-store.ts; re-exported until every import points there.
export type * from '../ports/dataset-store.js';
