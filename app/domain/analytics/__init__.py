"""Analytics (Step 7): the figures behind Home, the analysis pages and the report builder.

Shared here: `window` (a period in the tenant's time zone, cut into day/week/month/quarter/year
buckets). The SQL side of the same ideas is app/repositories/analytics_sql.py; filters on any
entity go through the one condition compiler (app/domain/shared/conditions.py and
app/repositories/conditions.py). Every figure is read through the caller's data range on the
resource it counts (deals: opportunities:read, tickets: tickets:read...), never around it.
"""
