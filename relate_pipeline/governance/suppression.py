"""The suppression list: who was forgotten, kept so that no later run brings them back, without naming them.

The list holds a keyed hash of each address (HMAC-SHA256 with a key of the data dir's own),
never the address: someone reading the data dir learns neither who was forgotten nor, without
the key, whether a given address was. Both files live in ``<data dir>/governance/`` (a local
folder or the same bucket as the lake), each replaced whole: a rename on local disk, one PUT on
an object store.

An address is matched as the pipeline stores it everywhere (``columns.email``): trimmed and
lower-cased.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from relate_pipeline.columns import as_list, email
from relate_pipeline.governance.folder import GovernanceFolder

KEY_FILE = "suppression.key"
LIST_FILE = "suppressed_addresses.txt"

_ADDRESS = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")


class MalformedAddress(ValueError):
    """An address to forget is not an e-mail address; the message names it."""


def normalised_address(value: str) -> str:
    """The address as the lake stores it (trimmed, lower-cased); raises MalformedAddress otherwise."""
    address = email(value)
    if address is None or not _ADDRESS.fullmatch(address):
        raise MalformedAddress(f"--email {value!r} is not an e-mail address (expected name@domain.tld)")
    return address


@dataclass(frozen=True)
class Suppression:
    """The forgotten addresses' keyed hashes, and the key that makes them."""

    key: bytes
    digests: frozenset[str]

    def digest(self, address: str) -> str:
        return hmac.new(self.key, address.encode(), hashlib.sha256).hexdigest()

    def matches(self, address: str | None) -> bool:
        """Whether an address as stored (already normalised, or None) was forgotten."""
        return address is not None and self.digest(address) in self.digests

    def matches_any(self, addresses: Iterable[object]) -> bool:
        return any(self.matches(email(address)) for address in addresses)

    def matches_event(self, event: Mapping) -> bool:
        """Whether a listed calendar event has an attendee at a forgotten address."""
        attendees = as_list(event.get("attendees"))
        return self.matches_any(a.get("email") if isinstance(a, Mapping) else a for a in attendees)


class SuppressionStore:
    """The key and the list in a data dir's ``governance`` folder."""

    def __init__(self, data_dir: str) -> None:
        self._folder = GovernanceFolder(data_dir)

    def load(self) -> Suppression | None:
        """The list as stored; None when nobody was ever forgotten here."""
        key = self._folder.read(KEY_FILE)
        listed = self._folder.read(LIST_FILE)
        if key is None or listed is None:
            return None
        digests = frozenset(line for line in listed.decode().split() if line)
        return Suppression(bytes.fromhex(key.decode().strip()), digests)

    def add(self, addresses: Iterable[str]) -> Suppression:
        """Add normalised addresses' hashes to the list, creating the key on first use; returns the new list."""
        if self._folder.read(KEY_FILE) is None:
            self._folder.write(KEY_FILE, secrets.token_hex(32).encode() + b"\n", private=True)
        key = bytes.fromhex(self._folder.read(KEY_FILE).decode().strip())
        current = self.load() or Suppression(key, frozenset())
        digests = current.digests | {current.digest(address) for address in addresses}
        if digests != current.digests or self._folder.read(LIST_FILE) is None:
            self._folder.write(LIST_FILE, "".join(f"{d}\n" for d in sorted(digests)).encode())
        return Suppression(current.key, frozenset(digests))
