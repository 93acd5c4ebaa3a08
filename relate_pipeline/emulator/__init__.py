"""A faithful local emulator of the Relate REST API, an independent reading of the published spec.

It imports nothing from the rest of `relate_pipeline`, so the client and the pipeline are tested
against a separate interpretation of the API rather than against their own assumptions.
"""

from .admin_client import EmulatorAdmin, EmulatorAdminError
from .cli import DEMO_API_KEY
from .process import EmulatorProcess, EmulatorStartError

__all__ = ["DEMO_API_KEY", "EmulatorAdmin", "EmulatorAdminError", "EmulatorProcess", "EmulatorStartError"]
