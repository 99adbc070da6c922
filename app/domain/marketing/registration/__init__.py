"""Public event registration: a campaign's registration settings, the public page's data, the
anonymous registration with capacity and waitlist, cancellation with waitlist promotion, and
check-in (issue 14, "Members and registration")."""
