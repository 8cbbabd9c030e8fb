// The web dashboard: one static page at `/` (plain HTML, ES modules, CSS; no build step) that reads
// the same API as every other client, plus two browser builds from node_modules: ECharts, and the
// server-sent events parser the CLI uses too. It holds no data, so it is public (src/app.ts); the
// page asks for an API key itself when the API answers 401.
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** Where the page's files are served from: /dashboard/app.js and so on. */
export const DASHBOARD_PREFIX = '/dashboard/';

const assetsDir = fileURLToPath(new URL('../dashboard/', import.meta.url));
const require = createRequire(import.meta.url);
const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`));
/** /dashboard/vendor/<name> → the file in node_modules (ES modules among them import nothing bare). */
const VENDOR: Record<string, string> = {
  'echarts.min.js': join(packageDir('echarts'), 'dist', 'echarts.min.js'),
  'eventsource-parser.js': join(packageDir('eventsource-parser'), 'dist', 'index.js'),
};

export async function dashboardRoutes(app: FastifyInstance) {
  // `index: false`: the page is `/`, not `/dashboard/`; schemaHide keeps these out of OpenAPI.
  await app.register(fastifyStatic, { root: assetsDir, prefix: DASHBOARD_PREFIX, index: false, schemaHide: true });
  const noStore = { 'cache-control': 'no-cache' };
  app.get('/', { schema: { hide: true } }, (_req, reply) => reply.headers(noStore).sendFile('index.html'));
  for (const [name, file] of Object.entries(VENDOR)) {
    app.get(`${DASHBOARD_PREFIX}vendor/${name}`, { schema: { hide: true } }, (_req, reply) =>
      reply.sendFile(basename(file), dirname(file), { maxAge: '1d' }));
  }
}

/** The dashboard's route URLs (as registered) need no key: the page, its scripts and styles. */
export const isDashboardRoute = (url: string) => url === '/' || url.startsWith(DASHBOARD_PREFIX);
