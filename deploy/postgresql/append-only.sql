-- The journal is append-only for the nodes (docs/cluster.md, "Least privilege"): run as
-- cairn_owner after the migrations, and again after a migration that recreates these tables.
--   psql -d cairn -U cairn_owner -f deploy/postgresql/append-only.sql
-- Events are never updated or deleted by Cairn; with this, not even a node's stolen credentials can.

REVOKE UPDATE, DELETE, TRUNCATE ON cairn.event_journal, cairn.event_tag FROM cairn_app;
