-- Least privilege for Cairn on PostgreSQL (docs/cluster.md, "Least privilege").
--
-- Run once, as a superuser or the database's owner, in the database Cairn will use:
--   psql -d cairn -f deploy/postgresql/roles.sql
-- then give both roles passwords (ALTER ROLE cairn_owner PASSWORD '...'; and cairn_app), run the
-- migrations as cairn_owner (bin/cairn migrate), then deploy/postgresql/append-only.sql as
-- cairn_owner, and run the nodes as cairn_app with CAIRN_DB_MIGRATE_ON_START=false.
--
-- cairn_owner owns the schema and its tables: it runs the migrations and nothing else.
-- cairn_app is what the nodes connect as: it reads and writes rows, and can neither create,
-- alter, drop nor truncate a table.

CREATE ROLE cairn_owner LOGIN;
CREATE ROLE cairn_app LOGIN;

CREATE SCHEMA IF NOT EXISTS cairn AUTHORIZATION cairn_owner;
REVOKE ALL ON SCHEMA cairn FROM PUBLIC;
GRANT USAGE ON SCHEMA cairn TO cairn_app;

-- Every table and sequence the migrations create, now and in later versions.
ALTER DEFAULT PRIVILEGES FOR ROLE cairn_owner IN SCHEMA cairn
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO cairn_app;
ALTER DEFAULT PRIVILEGES FOR ROLE cairn_owner IN SCHEMA cairn
  GRANT USAGE, SELECT ON SEQUENCES TO cairn_app;
