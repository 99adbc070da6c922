"""Descriptions the sync feeds share (README "Sync feeds")."""

# Appended to the description of every list that is a sync feed.
FEED_DESCRIPTION = (
    " With `updated_since` (a first sync) or `sync_token` (every sync after), the list is a sync "
    "feed: every change within your data range, records deleted (`reason: deleted`) or moved out "
    "of your range (`reason: out_of_range`) as tombstones, and records moved into it as changes. "
    "Follow `next_cursor` to the last page, which carries `next_sync_token`; pass that as "
    "`sync_token` next time. Resuming from the token never misses a committed change, however "
    "long the transactions running meanwhile; a change may come twice (compare `version`). "
    "Bounds are inclusive. Tombstones of records that left your range are kept "
    "CRM_SYNC_RETENTION_DAYS (default 30): an older token is answered 410 Gone, and the client "
    "syncs again from the start and keeps the new token."
)
UPDATED_SINCE_DOC = (
    "First sync: changes at or after this instant, oldest first (by `updated_at`), tombstones "
    "included. Ends with `next_sync_token`; sync on with that, not with timestamps."
)
SYNC_TOKEN_DOC = (
    "Opaque `next_sync_token` of a previous feed: everything committed since, in commit order. "
    "410 Gone when older than the kept tombstones (sync again from the start)."
)
NEXT_SYNC_TOKEN_DOC = (
    "On the last page of a sync feed (null `next_cursor`): pass it as `sync_token` to get every change "
    "committed since this feed began, none missed (some already seen may come again)."
)
TOMBSTONE_REASON_DOC = (
    "`deleted`: the record was deleted. `out_of_range`: it left your data range (reassigned, moved to "
    "another department, region or customer); drop your copy. Either way it may come back as a change."
)
