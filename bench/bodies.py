"""Request bodies of the write scenarios. bench/wrk/create.lua and patch.lua build the same shapes
(keep them in step); the SQL capture sends these."""

from __future__ import annotations

from typing import Any

LOAD_EMAIL_DOMAIN = "load.bench.example.com"
# Tickets the load opens carry this tag (bench/wrk/ticket.lua), so a run can remove them.
LOAD_TAG = "bench-load"
LEVELS = ["A", "B", "C", "D"]


def create_body(invocation: int, thread: int, n: int) -> dict[str, Any]:
    return {
        "name": f"压测客户 {invocation}-{thread}-{n}",
        "kind": "company",
        "customer_type": "smb",
        "industry": "technology",
        "level": "B",
        "status": "prospect",
        "source": "website",
        # "+86 10...": no generated customer has a number starting 10, so no duplicate 409s.
        "phone": f"+86 10{invocation % 1000:03d}{thread % 10}{n % 100_000:05d}",
        "email": f"load-{invocation}-{thread}-{n}@{LOAD_EMAIL_DOMAIN}",
        "tags": ["new"],
        "description": "Created by the load benchmark.",
    }


def patch_body(invocation: int, thread: int, n: int) -> dict[str, Any]:
    return {"level": LEVELS[n % 4], "description": f"bench patch {invocation}-{thread}-{n}"}


def ticket_body(invocation: int, thread: int, n: int) -> dict[str, Any]:
    return {
        "subject": f"压测工单 {invocation}-{thread}-{n}",
        "kind": "inquiry",
        "channel": "web",
        "priority": "normal",
        "tags": [LOAD_TAG],
        "description": "Opened by the load benchmark.",
    }
