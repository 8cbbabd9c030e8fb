// Domain errors. HTTP codes are assigned in one place (src/http-errors.ts) and trial states in
// one place (src/domain/trial-state.ts: trialOutcomeOf); nothing else inspects error classes.

export abstract class DomainError extends Error {
  abstract readonly code: string;
  /** `options.cause`: a library's error behind this one, for the log only (src/http-errors.ts). */
  constructor(message: string, readonly details?: unknown, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Input that breaks a rule; `field` is the JSON path of the offending value. */
export class ValidationError extends DomainError {
  readonly code = 'VALIDATION_ERROR';
  constructor(readonly field: string, readonly reason: string, options?: ErrorOptions) {
    super(`${field}: ${reason}`, { field, reason }, options);
  }
}

export class NotFoundError extends DomainError {
  readonly code = 'NOT_FOUND';
  constructor(readonly entity: string, readonly id: string) {
    super(`${entity} '${id}' not found`);
  }
}

/** The request is valid but the resource's state does not allow it. */
export class ConflictError extends DomainError {
  readonly code = 'CONFLICT';
}

/** A trial that cannot succeed however often it is retried (bad shapes, NaN loss). */
export class TrainingError extends DomainError {
  readonly code = 'TRAINING_ERROR';
}

/** A running trial noticed that its search was cancelled. */
export class TrialCancelledError extends DomainError {
  readonly code = 'TRIAL_CANCELLED';
}

/**
 * A tenant's quota (datasets, bytes stored, searches running at once) would be exceeded. Waiting
 * does not help as it does for a rate limit: the tenant must free something first, hence 409.
 */
export class QuotaExceededError extends DomainError {
  readonly code = 'QUOTA_EXCEEDED';
  constructor(readonly quota: string, readonly limit: number, readonly used: number, readonly setting: string) {
    super(`quota exceeded: ${quota} is limited to ${limit} per tenant (${used} in use; ${setting})`, { quota, limit, used, setting });
  }
}
