"""The Dagster pool of every step that writes the lake, the raw store or the warehouse.

A pool limited to one slot (the ``dagster.yaml`` the CLI writes sets every pool's default limit
to 1; docs/deployment.md has it for an instance of your own) lets one such step run at a time in
the whole instance, whichever run it belongs to: the nightly schedule's, the sensor's, one
launched from the UI or ``relate-pipeline run``. Two runs never write the same files at once.
"""

LAKE_POOL = "relate_lake"
