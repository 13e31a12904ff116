"""A drill: one incident shared by a team, each player in a role, over an append-only log.

The shared state is the command list. `log` keeps it (SQLite in WAL mode on one machine, the
same schema on PostgreSQL across machines); `roles` says which verbs each role may issue;
`table` replays the log through the game, so every seat sees the same incident; `feedback`
judges each role on what it owns and tells who did what.
"""
