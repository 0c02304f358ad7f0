// Builds the model provider for the user's endpoint. The endpoint comes from `endpointConfig` (user settings
// only) and the key from ApiKeys for that endpoint's origin, so a workspace can never redirect the key.
// No vscode import: the workspace-trap test runs this against loopback servers in plain Node.
import type { ModelProvider, ProviderId } from '../core/model';
import { mayContact } from '../core/security/trust';
import { originOf } from '../core/origin';
import type { EndpointConfig } from '../core/security/endpointSettings';
import { createOllamaProvider } from '../providers/ollama';
import { createOpenAIProvider } from '../providers/openai';

export interface ProviderDeps {
  /** The key entered for this endpoint's origin (ApiKeys.get). */
  getApiKey(endpoint: string): Promise<string | undefined>;
  trusted: boolean;
}

export class EndpointBlockedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EndpointBlockedError';
  }
}

export interface ResolvedProvider {
  provider: ModelProvider;
  providerId: ProviderId;
  endpoint: string;
  hasKey: boolean;
}

/** Throws EndpointBlockedError when trust forbids contacting the endpoint. */
export async function providerForEndpoint(config: EndpointConfig, providerId: ProviderId, deps: ProviderDeps): Promise<ResolvedProvider> {
  const endpoint = providerId === 'openai' ? config.openaiBaseUrl : config.ollamaHost;
  const permission = mayContact(endpoint, deps.trusted);
  if (!permission.allowed) throw new EndpointBlockedError(permission.reason);
  if (providerId === 'ollama') {
    return { provider: createOllamaProvider({ host: endpoint }), providerId, endpoint, hasKey: false };
  }
  const apiKey = await deps.getApiKey(endpoint);
  const provider = createOpenAIProvider({ baseURL: endpoint, apiKey });
  // Defence in depth: the provider must talk to the very origin the key was looked up for.
  if (originOf(provider.origin) !== originOf(endpoint))
    throw new EndpointBlockedError(`Provider origin ${provider.origin} differs from ${originOf(endpoint)}.`);
  return { provider, providerId, endpoint, hasKey: apiKey !== undefined };
}

export function activeProvider(config: EndpointConfig, deps: ProviderDeps): Promise<ResolvedProvider> {
  return providerForEndpoint(config, config.provider, deps);
}

/**
 * The `providers` lookup the runner calls: only the resolved provider's own (provider, endpoint) pair is
 * answered; anything else (e.g. an endpoint taken from a plan built elsewhere) is refused.
 */
export function providerLookup(resolved: ResolvedProvider): (provider: ProviderId, endpoint: string) => ModelProvider {
  return (provider, endpoint) => {
    if (provider !== resolved.providerId || originOf(endpoint) !== originOf(resolved.endpoint)) {
      throw new EndpointBlockedError(`Refusing to contact ${originOf(endpoint) ?? endpoint}: not the configured endpoint.`);
    }
    return resolved.provider;
  };
}
