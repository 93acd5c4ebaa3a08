"""CRM history views: the change rows of each snapshot turned into versions with their validity.

A version is valid from the snapshot that saw it (``valid_from``) to the next change of the same
row, a new version or its deletion (``valid_to``; null while it is current). A change equal to the
row's change before it (the same version written again by a run stopped between writing the
changes and the snapshot, or a second deletion) is skipped, so it never splits a version.
"""

from __future__ import annotations

from relate_pipeline.tables import CRM_HISTORIES, TABLES

HISTORY_VIEWS: dict[str, str] = {
    "contacts_history": "contact_changes",
    "organizations_history": "organization_changes",
    "list_entries_history": "list_entry_changes",
}


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def history_view_sql(view: str, changes: str) -> str:
    table, key = CRM_HISTORIES[changes]
    columns = [_quote(column) for column in TABLES[table].columns]
    state = ", ".join(f"{column} := {column}" for column in columns)
    return f"""
CREATE VIEW {view} AS
WITH ordered AS (
    SELECT
        *,
        struct_pack({state}) AS state,
        lag(struct_pack({state})) OVER (PARTITION BY {_quote(key)} ORDER BY snapshot_at) AS previous_state,
        lag(change) OVER (PARTITION BY {_quote(key)} ORDER BY snapshot_at) AS previous_change
    FROM {changes}
),
kept AS (
    SELECT *
    FROM ordered
    WHERE CASE change
        WHEN 'version' THEN previous_change IS DISTINCT FROM 'version' OR state IS DISTINCT FROM previous_state
        ELSE previous_change = 'version'
    END
),
bounded AS (
    SELECT *, lead(snapshot_at) OVER (PARTITION BY {_quote(key)} ORDER BY snapshot_at) AS valid_to
    FROM kept
)
SELECT {", ".join(columns)}, snapshot_at AS valid_from, valid_to, valid_to IS NULL AS is_current
FROM bounded
WHERE change = 'version'
"""


HISTORY_SQL: tuple[str, ...] = tuple(history_view_sql(view, changes) for view, changes in HISTORY_VIEWS.items())
