"""Deterministic 6-character hashids, like the ones Relate hands out (`K3xQzR`)."""

from __future__ import annotations

import random
import string

ALPHABET = string.ascii_letters + string.digits


class IdFactory:
    """Issues unique ids from a seeded generator.

    Objects created at runtime draw from the same sequence as the seeded workspace, so two emulators
    with the same seed that receive the same requests hand out the same ids.
    """

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(f"relate-emulator-ids:{seed}")
        self._issued: set[str] = set()

    def taken(self, candidate: str) -> bool:
        return candidate in self._issued

    def claim(self, chosen: str) -> str:
        """Reserves an id the caller picked (admin-inserted objects with unusual ids); it must be free."""
        if chosen in self._issued:
            raise ValueError(f"id {chosen!r} is already issued")
        self._issued.add(chosen)
        return chosen

    def new(self) -> str:
        while True:
            candidate = "".join(self._rng.choice(ALPHABET) for _ in range(6))
            if candidate not in self._issued:
                self._issued.add(candidate)
                return candidate
