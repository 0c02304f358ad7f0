// The trust policy for endpoints: in an untrusted workspace nothing leaves the machine (only a server on
// loopback is contacted); a trusted one may use any endpoint the user configured.
import { originOf } from '../origin';

export function isLoopback(url: string): boolean {
  try {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
  } catch {
    return false;
  }
}

/** Untrusted workspace: nothing leaves the machine. Trusted: any user-configured endpoint. */
export function mayContact(endpoint: string, trusted: boolean): { allowed: true } | { allowed: false; reason: string } {
  if (trusted || isLoopback(endpoint)) return { allowed: true };
  return {
    allowed: false,
    reason: `This workspace is not trusted, so Value Lens sends nothing to ${originOf(endpoint) ?? endpoint}. Trust the workspace, or use a model on this machine (127.0.0.1).`,
  };
}
