"""What every set of workspace rules (CRM, lists) holds: the workspace, its id factory and its clock."""

from __future__ import annotations

from .clock import Clock
from .ids import IdFactory
from .timefmt import iso_utc
from .workspace import Workspace


class WorkspaceRules:
    def __init__(self, workspace: Workspace, ids: IdFactory, clock: Clock) -> None:
        self.ws = workspace
        self.ids = ids
        self.clock = clock

    def _now(self) -> str:
        return iso_utc(self.clock.now())
