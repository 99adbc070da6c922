// Reference data the screens share: users (owner names), departments, regions, roles, custom-field
// definitions. Each is loaded once per session and only when the caller may read it.
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from './api/client';
import type { components } from './api/schema';
import { useAuth } from './auth';
import { can } from './permissions';

export type User = components['schemas']['UserOut'];
export type Department = components['schemas']['DepartmentOut'];
export type Region = components['schemas']['RegionOut'];
export type Role = components['schemas']['RoleOut'];
export type CustomField = components['schemas']['CustomFieldOut'];

const STALE = 5 * 60 * 1000;

async function allPages<T>(load: (cursor: string | undefined) => Promise<{ items: T[]; next_cursor: string | null }>) {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 50; i++) {
    const page = await load(cursor);
    items.push(...page.items);
    if (!page.next_cursor) break;
    cursor = page.next_cursor;
  }
  return items;
}

export function useUsers() {
  const { me } = useAuth();
  return useQuery({
    queryKey: ['users', 'all'],
    enabled: can(me, 'users:read'),
    staleTime: STALE,
    queryFn: () =>
      allPages<User>((cursor) => unwrap(api.GET('/api/v1/users', { params: { query: { limit: 200, cursor, sort: 'name' } } }))),
  });
}

export function useDepartments() {
  const { me } = useAuth();
  return useQuery({
    queryKey: ['departments'],
    enabled: can(me, 'departments:read'),
    staleTime: STALE,
    queryFn: () => allPages<Department>((cursor) => unwrap(api.GET('/api/v1/departments', { params: { query: { limit: 200, cursor } } }))),
  });
}

export function useRegions() {
  const { me } = useAuth();
  return useQuery({
    queryKey: ['regions'],
    enabled: can(me, 'regions:read'),
    staleTime: STALE,
    queryFn: () => allPages<Region>((cursor) => unwrap(api.GET('/api/v1/regions', { params: { query: { limit: 200, cursor } } }))),
  });
}

export function useRoles() {
  const { me } = useAuth();
  return useQuery({
    queryKey: ['roles'],
    enabled: can(me, 'roles:read'),
    staleTime: STALE,
    queryFn: () => allPages<Role>((cursor) => unwrap(api.GET('/api/v1/roles', { params: { query: { limit: 200, cursor } } }))),
  });
}

export function useCustomFields(entity: 'customer' | 'contact' | 'lead' | 'opportunity' | 'ticket') {
  const { me } = useAuth();
  return useQuery({
    queryKey: ['custom-fields', entity],
    enabled: can(me, 'custom_fields:read'),
    staleTime: STALE,
    queryFn: async () =>
      (await unwrap(api.GET('/api/v1/custom-fields', { params: { query: { entity } } }))).items.sort((a, b) => a.position - b.position),
  });
}

/** The active users as select options, "name (email)": a list's owner filter, bulk assignment. */
export function useUserOptions(): { value: string; label: string }[] {
  const users = useUsers();
  return (users.data ?? []).filter((u) => u.active).map((u) => ({ value: u.id, label: `${u.name} (${u.email})` }));
}

/** id -> display name, with "me" for the caller. */
export function useUserName() {
  const { me } = useAuth();
  const users = useUsers();
  const names = new Map((users.data ?? []).map((u) => [u.id, u.name]));
  return (id: string | null | undefined): string | undefined => {
    if (!id) return undefined;
    if (me && id === me.user.id) return me.user.name;
    return names.get(id);
  };
}
