"""Who is calling (tokens, passwords, Principal) and what they may see (permissions, data ranges)."""
