// Thrown when a training backend cannot run on this host (library not built, no GPU adapter...).
// 'auto' catches it and moves on to the next backend; an explicit request reports the reason.
export class BackendUnavailableError extends Error {
  constructor(readonly backend: string, readonly reason: string) {
    super(`training backend '${backend}' is unavailable: ${reason}`);
    this.name = 'BackendUnavailableError';
  }
}
