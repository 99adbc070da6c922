"""Marketing (issue 14): campaigns, segments, members and registration, message templates and
sends, consent and suppression, tracking, attribution and automation."""
