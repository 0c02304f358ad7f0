// Where an API key is kept: one SecretStorage entry per endpoint origin, so a key entered for one server is
// never sent to another.
import { originOf } from '../origin';

/** The SecretStorage key under which the API key for an endpoint origin is kept. */
export function apiKeySecretName(endpoint: string): string | undefined {
  const origin = originOf(endpoint);
  return origin ? `valueLens.apiKey:${origin}` : undefined;
}
