import { createParamDecorator, Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { ProblemError } from '@smp/http';
import { ApiKeyStore } from './api-key.store.js';
import type { Principal, Role } from './api-key.js';

const ROLES_KEY = 'smp:roles';
const PRINCIPAL = Symbol('principal');

/** The roles allowed on a route. Routes without it are open to anonymous callers too. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

/** Who made the request, as ApiKeyGuard (a global guard, so it runs first) established it. */
export function principalOf(request: object): Principal {
  return (request as { [PRINCIPAL]?: Principal })[PRINCIPAL] ?? { kind: 'anonymous' };
}

export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal =>
  principalOf(context.switchToHttp().getRequest()),
);

/**
 * `Authorization: Bearer <key>`. A key that is given must be valid (401
 * otherwise), even on open routes; a route with @Roles needs a key (401) of
 * one of its roles (403).
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly keys: ApiKeyStore,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest & { [PRINCIPAL]?: Principal }>();
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, [context.getHandler(), context.getClass()]);
    const header = request.headers.authorization;
    let principal: Principal = { kind: 'anonymous' };
    if (header !== undefined) {
      const match = /^Bearer ([\w-]{10,200})$/.exec(header);
      const found = match ? await this.keys.principalFor(match[1]) : null;
      if (!found) throw unauthorized('The API key is not valid or has been revoked.');
      principal = found;
    }
    request[PRINCIPAL] = principal;
    if (!roles) return true;
    if (principal.kind === 'anonymous') throw unauthorized('This endpoint needs an API key: Authorization: Bearer <key>.');
    if (!roles.includes(principal.role)) {
      throw new ProblemError(
        403,
        'forbidden',
        'Forbidden',
        `A ${principal.role} key may not do this; it needs one of: ${roles.join(', ')}.`,
      );
    }
    return true;
  }
}

function unauthorized(detail: string): ProblemError {
  return new ProblemError(401, 'unauthorized', 'Unauthorized', detail, [], { 'www-authenticate': 'Bearer' });
}

/** A clinic key acts only for its own clinic. */
export function assertClinicAccess(principal: Principal, clinicId: string): void {
  if (principal.kind === 'key' && principal.role === 'clinic' && principal.clinicId !== clinicId) {
    throw new ProblemError(403, 'forbidden', 'Forbidden', 'A clinic key acts only for its own clinic.');
  }
}
