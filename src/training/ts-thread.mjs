// Entry of a worker thread that runs TypeScript: a Worker does not inherit the parent's
// `--import tsx` (and its execArgv cannot pass it), so the thread registers tsx itself and then
// imports the module its workerData names.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
