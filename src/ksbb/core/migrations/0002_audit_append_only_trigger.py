"""On PostgreSQL, the database itself refuses to change or remove audit entries, so that
even code that bypasses the ORM (or a careless psql session) cannot rewrite history
without first dropping the trigger, which needs DDL rights the application does not use.
TRUNCATE stays allowed: it is how test databases are reset between tests."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION ksbb_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'core_auditentry is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS ksbb_audit_append_only ON core_auditentry;
CREATE TRIGGER ksbb_audit_append_only
    BEFORE UPDATE OR DELETE ON core_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION ksbb_audit_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS ksbb_audit_append_only ON core_auditentry;
DROP FUNCTION IF EXISTS ksbb_audit_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
