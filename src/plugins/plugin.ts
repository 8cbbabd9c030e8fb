// What fastify-plugin does, without the dependency: a plugin marked this way shares its hooks and
// decorators with the app that registers it instead of keeping them to itself (Fastify documents
// the `skip-override` symbol for exactly this).
import type { FastifyPluginAsync } from 'fastify';

export function appWide<T extends FastifyPluginAsync<never>>(name: string, plugin: T): T {
  Object.assign(plugin, { [Symbol.for('skip-override')]: true, [Symbol.for('fastify.display-name')]: name });
  return plugin;
}
