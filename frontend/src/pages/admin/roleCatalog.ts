// The permission catalogue as app/auth/permissions.py defines it: resources, actions, and the
// resources whose records carry an owner and so take a data range. The roles API does not serve
// the catalogue; tests/unit/test_role_catalog.py fails when this file and the server differ.
export const RESOURCES = [
  'customers',
  'contacts',
  'activities',
  'leads',
  'opportunities',
  'quotes',
  'orders',
  'sales_plans',
  'tickets',
  'kb',
  'surveys',
  'campaigns',
  'segments',
  'message_templates',
  'automations',
  'reports',
  'pipelines',
  'targets',
  'forecast',
  'custom_fields',
  'users',
  'departments',
  'regions',
  'roles',
  'api_tokens',
  'audit_log',
  'settings',
] as const;
export type ResourceName = (typeof RESOURCES)[number];

export const ACTIONS = ['read', 'create', 'update', 'delete', 'export', 'import', 'assign', 'manage'] as const;

export const RANGED_RESOURCES: readonly ResourceName[] = [
  'customers',
  'contacts',
  'activities',
  'leads',
  'opportunities',
  'quotes',
  'orders',
  'sales_plans',
  'tickets',
  'campaigns',
];
