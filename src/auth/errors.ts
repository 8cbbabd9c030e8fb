// Access errors. Like the domain's, they carry no HTTP status: src/http-errors.ts assigns it.
import { DomainError } from '../domain/errors.js';

/** No key, a malformed one, or one that is unknown or revoked: the message never says which. */
export class UnauthorizedError extends DomainError {
  readonly code = 'UNAUTHORIZED';
}

/** A valid key that may not do this (the admin key on tenant data, a tenant key on key management). */
export class ForbiddenError extends DomainError {
  readonly code = 'FORBIDDEN';
}

/** Too many requests of one kind from one key (or client, with authentication off). */
export class RateLimitedError extends DomainError {
  readonly code = 'RATE_LIMITED';
}
