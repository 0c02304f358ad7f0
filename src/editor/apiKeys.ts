// API keys in SecretStorage, each bound to the endpoint origin it was entered for: the key for
// https://a.example is stored under that origin and handed out only for that origin.
import { apiKeySecretName } from '../core/security/secretNames';
import { originOf } from '../core/origin';

export interface SecretStoreLike {
  get(key: string): PromiseLike<string | undefined>;
  store(key: string, value: string): PromiseLike<void>;
  delete(key: string): PromiseLike<void>;
}

export class ApiKeys {
  constructor(private readonly secrets: SecretStoreLike) {}

  private name(endpoint: string): string {
    const name = apiKeySecretName(endpoint);
    if (!name) throw new Error('Not an http(s) endpoint; no API key can be bound to it.');
    return name;
  }

  /** The key entered for exactly this endpoint's origin, or undefined. */
  async get(endpoint: string): Promise<string | undefined> {
    const value = await this.secrets.get(this.name(endpoint));
    return value || undefined;
  }

  async set(endpoint: string, key: string): Promise<string> {
    await this.secrets.store(this.name(endpoint), key.trim());
    return originOf(endpoint)!;
  }

  async clear(endpoint: string): Promise<void> {
    await this.secrets.delete(this.name(endpoint));
  }
}
