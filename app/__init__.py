"""CRM service."""
