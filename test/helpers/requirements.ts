// The suite's one skip idiom, for what a test needs that a host may lack (PostgreSQL, Chromium, a
// training backend, docker-compose): on a developer's machine the test skips, saying why; where CI
// or a HYPERTUNE_REQUIRE_* variable requires it, it fails, so CI cannot pass by skipping.

/** HYPERTUNE_REQUIRE_SERVICES (postgres), HYPERTUNE_REQUIRE_TOOLS (chromium, docker-compose),
 *  HYPERTUNE_REQUIRE_BACKENDS (native, native-bf16 — native with AVX512_BF16 —, webgpu, wasm, cpu): comma-separated names. */
export type RequirementKind = 'SERVICES' | 'TOOLS' | 'BACKENDS';

/** What requires `name` here, for the failure message; undefined when nothing does. CI=true
 *  requires the services, since every CI run starts them (scripts/test.sh). */
export function requiredBy(kind: RequirementKind, name: string): string | undefined {
  const variable = `HYPERTUNE_REQUIRE_${kind}`;
  if ((process.env[variable] ?? '').split(',').map((s) => s.trim()).includes(name)) return variable;
  if (kind === 'SERVICES' && process.env.CI === 'true') return 'CI=true';
  return undefined;
}

const warned = new Set<string>();

/**
 * Whether the tests that need `what` run. `unavailable` says why it cannot here (undefined: it
 * can), `required` what requires it (from requiredBy). Required but unavailable: throws, which fails
 * the test that asked or, asked while the file is collected, the whole file. Otherwise warns once
 * and returns false; the caller skips (`describe.skipIf`, `ctx.skip()`).
 */
export function requireOrSkip(what: string, unavailable: string | undefined, required: string | undefined): boolean {
  if (unavailable === undefined) return true;
  if (required !== undefined) throw new Error(`${what} is required (${required}) but unavailable: ${unavailable}`);
  if (!warned.has(what)) console.warn(`skipping the tests that need ${what}: ${unavailable}`);
  warned.add(what);
  return false;
}
