import { ApiKeyRole } from '../config/config.schema';

/** Who is calling: the API key's name and role, or anonymous (auth off on a loopback bind). */
export interface CallerIdentity {
  /** Key name; it becomes the `owner` of tasks. Null when auth is off. */
  name: string | null;
  role: ApiKeyRole;
  authenticated: boolean;
}

/** The identity used when authentication is off (no keys, loopback bind) and by in-process callers. */
export const LOCAL_ADMIN: CallerIdentity = Object.freeze({
  name: null,
  role: 'admin',
  authenticated: false,
}) as CallerIdentity;

/** Whether `caller` may see a resource owned by `owner` (admins see all). */
export function canAccess(caller: CallerIdentity, owner: string | null): boolean {
  return caller.role === 'admin' || (caller.name !== null && caller.name === owner);
}
