import type { components } from './api/schema';

export type Me = components['schemas']['MeOut'];

export function can(me: Me | null | undefined, permission: string): boolean {
  return !!me && me.permissions.includes(permission);
}

export function canAny(me: Me | null | undefined, permissions: string[]): boolean {
  return permissions.some((p) => can(me, p));
}

/** The modules of the shell and the permission that opens each. */
export const MODULES = {
  customers: ['customers:read'],
  contacts: ['contacts:read'],
  leads: ['leads:read'],
  activities: ['activities:read'],
  opportunities: ['opportunities:read'],
  forecast: ['forecast:read'],
  // Analytics > Leads & activities: each part shows when its records are readable
  leadAnalytics: ['leads:read', 'activities:read', 'opportunities:read'],
  tickets: ['tickets:read'],
  serviceDashboard: ['tickets:read'],
  kb: ['kb:read'],
  kbEdit: ['kb:create', 'kb:update'],
  users: ['users:create', 'users:update', 'users:manage'],
  departments: ['departments:create', 'departments:update'],
  roles: ['roles:read'],
  customFields: ['custom_fields:create', 'custom_fields:update'],
  auditLog: ['audit_log:read'],
  apiTokens: ['api_tokens:read'],
  surveys: ['surveys:read'],
  automations: ['automations:read'],
  segments: ['segments:read'],
  reports: ['reports:read'],
  messageTemplates: ['message_templates:read'],
  campaigns: ['campaigns:read'],
  suppressions: ['campaigns:manage'],
} as const satisfies Record<string, readonly string[]>;

export type ModuleName = keyof typeof MODULES;

export function canOpen(me: Me | null | undefined, module: ModuleName): boolean {
  return canAny(me, [...MODULES[module]]);
}
