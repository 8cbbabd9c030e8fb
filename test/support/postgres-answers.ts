// Whether a PostgreSQL server answers at a URL (2 s at most): the PostgreSQL tests and benchmarks
// run only where one does.
import pg from 'pg';

export async function postgresAnswers(connectionString: string): Promise<boolean> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}
