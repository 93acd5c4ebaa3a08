"""A faithful local emulator of the Relate REST API, an independent reading of the published spec.

It imports nothing from the rest of `relate_pipeline`, so the client and the pipeline are tested
against a separate interpretation of the API rather than against their own assumptions.

    python -m relate_pipeline.emulator --port 8080 --days 7 --seed 7
    with EmulatorProcess(days=3, end_date="2026-05-20") as emulator:
        emulator.base_url          # http://127.0.0.1:PORT/v1
        emulator.admin.advance_clock(86400)

Choices where the spec is silent, kept consistent everywhere:
- The clock stands still unless `--clock-follows-wall-time` is given or `/_admin/clock` moves it. It starts
  at the real time, or, when the workspace's last day is already over, at 06:00 UTC the next day, so
  late recordings are still pending. Recording status, event exposure and `updated_at` derive from it.
- PATCH adds to `emails`, `phone_numbers` and `domains` (the DELETE .../emails and .../domains endpoints
  remove) and upserts `custom_fields` by name; a null value removes a custom field value.
- Unknown body keys are rejected with a 422 naming them; so are references to missing objects.
- Create and update of lists answer `{"data": ...}`; only `GET /lists/:id` is unwrapped, as in the spec.
- `/_admin/reset` returns the server to its just-started state (seeded workspace, clock, faults, stats).
- `--drift-fraction` serves a seeded share of events and recordings in drifted shapes (see `drift`), marked in
  the snapshot by a `drift` key; `/_admin/events` may pick the new event's and recording's ids.
"""

from .admin_client import EmulatorAdmin, EmulatorAdminError
from .cli import DEMO_API_KEY
from .process import EmulatorProcess, EmulatorStartError

__all__ = ["DEMO_API_KEY", "EmulatorAdmin", "EmulatorAdminError", "EmulatorProcess", "EmulatorStartError"]
