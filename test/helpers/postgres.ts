// The PostgreSQL the tests use (DATABASE_URL_PG, else the local server scripts/test.sh starts), and
// whether its tests run here: skipped where it does not answer, failing where it is required.
import { postgresAnswers } from '../support/postgres-answers.js';
import { requiredBy, requireOrSkip } from './requirements.js';

export const PG_URL = process.env.DATABASE_URL_PG ?? 'postgresql://postgres@127.0.0.1:5432/test';

let answers: Promise<boolean> | undefined;

/** Probes once per test file; throws where HYPERTUNE_REQUIRE_SERVICES names postgres or CI=true. */
export async function postgresAvailable(): Promise<boolean> {
  answers ??= postgresAnswers(PG_URL);
  return requireOrSkip(`PostgreSQL at ${PG_URL}`, (await answers) ? undefined : 'it did not answer (start it, or set DATABASE_URL_PG)', requiredBy('SERVICES', 'postgres'));
}
