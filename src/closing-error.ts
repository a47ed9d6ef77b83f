/**
 * Work refused because the process is stopping (the rate limiter or the store has closed).
 * Expected during a stop, so it is not logged as a failure; the work resumes after the next start.
 */
export class ClosingError extends Error {
  override readonly name = 'ClosingError';
}
