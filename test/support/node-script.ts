// Starts one of the service's entry points (src/server.ts, workers/*.ts) as its own Node process,
// the way `npm run api` / `npm run worker` do: TypeScript through tsx, no build step.
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The checkout's root: entry points are given relative to it. */
export const root = fileURLToPath(new URL('../..', import.meta.url));

/** `nodeArgs`: extra flags after tsx's preload, before the script (a benchmark's `--expose-gc`, a preload). */
export function spawnScript(script: string, env: NodeJS.ProcessEnv, stdio: StdioOptions = ['ignore', 'inherit', 'inherit'], nodeArgs: string[] = []): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', ...nodeArgs, script], { cwd: root, env, stdio });
}
