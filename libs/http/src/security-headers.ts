import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';

/**
 * Security headers on every response of every app, errors included (helmet's
 * defaults: a same-origin content security policy, nosniff, no framing by
 * other sites, no referrer, HSTS). The dashboard and Swagger UI load only
 * their own scripts; `upgrade-insecure-requests` is left out because the apps
 * are also reached over plain HTTP on a local or container address.
 */
const HELMET_OPTIONS = { contentSecurityPolicy: { useDefaults: true, directives: { 'upgrade-insecure-requests': null } } };

/**
 * The headers helmet sets, worked out once at start-up: none depends on the
 * request (no CSP nonces), and helmet's middleware would otherwise be built
 * again for every request.
 */
export function securityHeaders(): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: string) => void (headers[name.toLowerCase()] = value),
    removeHeader: (name: string) => void delete headers[name.toLowerCase()],
  };
  helmet(HELMET_OPTIONS)({} as IncomingMessage, response as unknown as ServerResponse, (error?: unknown) => {
    if (error) throw error;
  });
  return Object.freeze(headers);
}
