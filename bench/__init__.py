"""`make bench`: load benchmark of the real server against a bare ASGI + asyncpg baseline."""
