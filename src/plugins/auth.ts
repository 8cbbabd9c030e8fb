// The one place requests are authenticated. With authentication off every request is the embedded
// single user and nothing is scoped. With it on, each route has an access level (route config
// `access`, else 'public' for the paths the app names and 'tenant' for the rest): tenant routes
// need a tenant key and see that tenant's data only (req.tenant, passed to the services);
// admin routes need ADMIN_API_KEY.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiKeyService } from '../auth/api-keys.js';
import { ForbiddenError } from '../auth/errors.js';
import { ConflictError } from '../domain/errors.js';
import { appWide } from './plugin.js';

export type Access = 'public' | 'tenant' | 'admin';

declare module 'fastify' {
  interface FastifyRequest {
    /** The tenant whose data this request may see; undefined with authentication off (sees all). */
    tenant: string | undefined;
    /** The key that authenticated the request ('admin' for the admin key): the rate limits' key. */
    apiKeyId: string | undefined;
  }
  interface FastifyContextConfig {
    access?: Access;
  }
}

export interface AuthOptions {
  enabled: boolean;
  keys?: ApiKeyService;
  /** Route URLs (patterns, as registered) that need no key: health, docs. */
  isPublic: (routeUrl: string) => boolean;
}

export const authPlugin = appWide('hypertune-auth', async (app: FastifyInstance, opts: AuthOptions) => {
  if (opts.enabled && !opts.keys) throw new Error('authentication is on but no API key service was given');
  app.decorateRequest('tenant', undefined);
  app.decorateRequest('apiKeyId', undefined);
  app.addHook('onRequest', async (req, reply) => {
    const access = accessOf(req, opts);
    if (!opts.enabled) {
      if (access === 'admin') throw new ConflictError('API keys need authentication on: set ADMIN_API_KEY (or AUTH_ENABLED=true)');
      return;
    }
    if (access === 'public') return;
    reply.header('www-authenticate', 'Bearer realm="hypertune"'); // RFC 6750: says how to authenticate on a 401
    const principal = await opts.keys!.authenticate(req.headers.authorization);
    if (principal.kind === 'admin') {
      req.apiKeyId = 'admin';
      // An unknown route still answers 404 to the admin; data routes are the tenants'.
      if (access === 'tenant' && req.routeOptions.url !== undefined)
        throw new ForbiddenError('the admin key manages API keys only; use a tenant key for searches and models');
    } else {
      req.apiKeyId = principal.keyId;
      req.tenant = principal.tenant;
      if (access === 'admin') throw new ForbiddenError('managing API keys needs the admin key');
    }
    reply.removeHeader('www-authenticate');
  });
});

function accessOf(req: FastifyRequest, opts: AuthOptions): Access {
  const url = req.routeOptions.url;
  return req.routeOptions.config.access ?? (url !== undefined && opts.isPublic(url) ? 'public' : 'tenant');
}
