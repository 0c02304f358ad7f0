// Model failures during authoring, in words a user can act on. Scoring has its own advice (editor); here
// one request either works or the whole generation stops, so the message must say what to fix.
import { ProviderError } from '../model';

export class AuthoringError extends Error {
  constructor(
    message: string,
    /** The provider failure underneath, when there is one (kind/status drive the editor's advice buttons). */
    readonly providerError?: ProviderError,
  ) {
    super(message);
    this.name = 'AuthoringError';
  }
}

/** Turns whatever a provider threw into an AuthoringError; aborts stay aborts (the caller stops quietly). */
export function authoringError(error: unknown, model: string, origin: string): AuthoringError {
  if (error instanceof AuthoringError) return error;
  if (!(error instanceof ProviderError)) {
    return new AuthoringError(`Asking ${model} at ${origin} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  const what = `${model} at ${origin}`;
  switch (error.kind) {
    case 'aborted':
      return new AuthoringError('Cancelled.', error);
    case 'timeout':
      return new AuthoringError(`${what} did not answer in time; try again, or raise valueLens.timeoutSeconds.`, error);
    case 'network':
      return new AuthoringError(`Cannot reach ${origin}: is the model server running? (${error.message})`, error);
    case 'parse':
      return new AuthoringError(`${what} sent an answer that is not valid JSON: ${error.message}`, error);
    case 'http':
      if (error.status === 401 || error.status === 403)
        return new AuthoringError(`${origin} refused the request (HTTP ${error.status}): set or check the API key.`, error);
      if (error.status === 404)
        return new AuthoringError(`${origin} does not know the model "${model}" (HTTP 404): pick or pull another model.`, error);
      if (error.status === 429)
        return new AuthoringError(`${origin} is rate-limiting requests (HTTP 429); wait a moment and try again.`, error);
      if (error.status !== undefined && error.status >= 500)
        return new AuthoringError(`${what} failed with a server error (HTTP ${error.status}): ${error.message}`, error);
      return new AuthoringError(`${what} rejected the request (HTTP ${error.status ?? '?'}): ${error.message}`, error);
    default:
      return new AuthoringError(`${what}: ${error.message}`, error);
  }
}

export function isCancelled(error: unknown): boolean {
  return error instanceof AuthoringError && error.providerError?.kind === 'aborted';
}
