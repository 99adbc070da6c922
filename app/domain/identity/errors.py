"""Identity-specific refinements of the shared error hierarchy (same statuses, own problem types)."""

from __future__ import annotations

from app.domain.shared.errors import PermissionDenied


class AccountDeactivated(PermissionDenied):
    """Answered only after the password verified, so it tells nothing to someone guessing."""

    code = "account-deactivated"
    title = "Account deactivated"
