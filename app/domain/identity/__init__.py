"""Identity and administration: tenants, users, departments, regions, roles, sessions, API tokens
and the audit log's read side."""
