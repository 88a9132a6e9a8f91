"""PostgreSQL only: the database itself refuses two active bookings of one unit whose buffered
ranges overlap. SQLite skips these operations; there the booking service checks for overlaps
inside an IMMEDIATE transaction, which serialises writers."""

from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations

EXCLUSION = """
ALTER TABLE sharing_booking ADD CONSTRAINT sharing_booking_no_overlap
EXCLUDE USING gist (
    resource_id WITH =,
    tstzrange(blocked_start, blocked_end, '[)') WITH &&
) WHERE (state IN ('held', 'requested', 'approved', 'checked_out'))
"""

# "Free between these times" finds the active bookings overlapping a window across all units,
# then anti-joins; this GiST index makes that first step an index scan.
SEARCH_INDEX = """
CREATE INDEX sharing_booking_active_span ON sharing_booking
USING gist (tstzrange(blocked_start, blocked_end, '[)'))
WHERE (state IN ('held', 'requested', 'approved', 'checked_out'))
"""


class PostgresOnly(migrations.RunSQL):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [("sharing", "0001_initial")]

    operations = [
        # CreateExtension operations already do nothing on other databases.
        BtreeGistExtension(),
        PostgresOnly(
            EXCLUSION, "ALTER TABLE sharing_booking DROP CONSTRAINT sharing_booking_no_overlap"
        ),
        PostgresOnly(SEARCH_INDEX, "DROP INDEX sharing_booking_active_span"),
    ]
