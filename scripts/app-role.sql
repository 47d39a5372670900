-- The app connects as mdt_app, a role that does not own the tables: it reads and writes the
-- records, appends to the audit trail, and can neither change nor remove audit rows nor drop
-- the triggers that guard them. The owner (mdt) runs the migrations only.
--
-- As postgres, once:   CREATE ROLE mdt_app LOGIN PASSWORD '<another password>';
-- Then, as the owner, after every upgrade (psql -d mdt -f scripts/app-role.sql):
GRANT USAGE ON SCHEMA public TO mdt_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO mdt_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO mdt_app;
REVOKE UPDATE, DELETE, TRUNCATE ON audit_event FROM mdt_app;
REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM mdt_app;
