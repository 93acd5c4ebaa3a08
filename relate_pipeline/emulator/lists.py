"""Lists, processes and their entries: the documented rules, with no HTTP in sight.

Process entries get keys `IDENTIFIER-n` from a per-process counter that never reuses a number, even
after deletions. `assignee_email` must belong to one of the workspace's users and, like `status` and
the value fields, only applies to processes.
"""

from __future__ import annotations

from typing import Any

from . import validation as v
from .errors import invalid, not_found
from .models import ListState
from .rules import WorkspaceRules

LIST_KEYS = ("name", "process", "entry_type", "fields")
PROCESS_ONLY_LIST_KEYS = ("identifier", "duplicates_allowed", "entry_label", "status_label", "statuses")
ENTRY_KEYS = ("entryable_id", "entryable_type", "contact_id", "list_fields")
PROCESS_ONLY_ENTRY_KEYS = ("status", "assignee_email", "one_time_value_cents", "recurring_value_cents", "recurring_value_period")
DEFAULT_STATUSES = (
    {"name": "Started", "type": "active"},
    {"name": "In Progress", "type": "active"},
    {"name": "Completed", "type": "won"},
    {"name": "Canceled", "type": "lost"},
)


class Lists(WorkspaceRules):
    def state(self, list_id: str) -> ListState:
        state = self.ws.lists.get(list_id)
        if state is None:
            raise not_found("list", list_id)
        return state

    def list_lists(self) -> list[dict[str, Any]]:
        return [state.public for state in self.ws.lists.values()]

    def create_list(self, body: dict[str, Any]) -> dict[str, Any]:
        name = v.require_string(body, "name")
        process = v.require_bool(body, "process")
        v.reject_unknown(body, LIST_KEYS + (PROCESS_ONLY_LIST_KEYS if process else ()), "a regular list (process is false)")
        entry_type = v.require_choice(body, "entry_type", v.ENTRY_TYPES)
        fields = v.field_definitions(body.get("fields", []))
        list_id = self.ids.new()
        if process:
            identifier = v.require_string(body, "identifier")
            duplicates_allowed = v.require_bool(body, "duplicates_allowed")
            statuses = v.status_definitions(body["statuses"]) if "statuses" in body else [dict(s) for s in DEFAULT_STATUSES]
            public = {
                "id": list_id, "name": name, "identifier": identifier, "process": True, "duplicates_allowed": duplicates_allowed,
                "entry_type": entry_type,
                "entry_label": v.optional_string(body, "entry_label") or entry_type,
                "status_label": v.optional_string(body, "status_label") or "Status",
                "statuses": statuses, "fields": fields,
            }
        else:
            public = {"id": list_id, "name": name, "process": False, "entry_type": entry_type, "fields": fields}
        now = self._now()
        public.update({"created_at": now, "updated_at": now, "archived_at": None})
        self.ws.lists[list_id] = ListState(public=public, field_ids={f["name"]: self.ids.new() for f in fields})
        return public

    def update_list(self, list_id: str, body: dict[str, Any]) -> dict[str, Any]:
        state = self.state(list_id)
        for key in ("entry_type", "process"):
            if key in body:
                raise invalid(key, "cannot be updated")
        allowed = ("name", "fields") + (PROCESS_ONLY_LIST_KEYS if state.is_process else ())
        v.reject_unknown(body, allowed, "a process" if state.is_process else "a regular list (process is false)")
        public = dict(state.public)
        if "name" in body:
            public["name"] = v.require_string(body, "name")
        if "identifier" in body:
            public["identifier"] = v.require_string(body, "identifier")
        if "duplicates_allowed" in body:
            public["duplicates_allowed"] = v.require_bool(body, "duplicates_allowed")
        for label in ("entry_label", "status_label"):
            if label in body:
                public[label] = v.require_string(body, label)
        if "statuses" in body:
            public["statuses"] = v.status_definitions(body["statuses"])
        if "fields" in body:
            public["fields"] = v.field_definitions(body["fields"])
            kept = {f["name"] for f in public["fields"]}
            state.field_ids = {n: state.field_ids.get(n) or self.ids.new() for n in kept}
            live_ids = set(state.field_ids.values())
            for entry_id, entry in list(state.entries.items()):
                values = {fid: value for fid, value in entry["list_fields"].items() if fid in live_ids}
                state.entries[entry_id] = dict(entry, list_fields=values)
        public["updated_at"] = self._now()
        state.public = public
        return public

    def delete_list(self, list_id: str) -> None:
        self.state(list_id)
        del self.ws.lists[list_id]

    # entries

    def entry(self, list_id: str, entry_id: str) -> dict[str, Any]:
        entry = self.state(list_id).entries.get(entry_id)
        if entry is None:
            raise not_found("entry", entry_id)
        return entry

    def list_entries(self, list_id: str) -> list[dict[str, Any]]:
        return list(self.state(list_id).entries.values())

    def _list_fields(self, state: ListState, raw: Any, existing: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(raw, list):
            raise invalid("list_fields", "must be an array of {name, value} objects")
        values = dict(existing)
        for index, item in enumerate(raw):
            item = v.require_object(item, f"list_fields[{index}]")
            name = v.require_string(item, "name", label=f"list_fields[{index}].name")
            definition = state.field(name)
            if definition is None:
                raise invalid(f"list_fields[{index}].name", f"list {state.public['id']!r} has no field named {name!r}")
            field_id = state.field_ids[name]
            if item.get("value") is None:
                values.pop(field_id, None)
                continue
            value = v.field_value(definition, item["value"], f"list_fields[{index}].value")
            values[field_id] = {"name": name, "data_type": definition["data_type"], "value": value}
        return values

    def _status(self, state: ListState, body: dict[str, Any]) -> dict[str, Any]:
        name = body.get("status")
        status = next((s for s in state.public["statuses"] if s["name"] == name), None)
        if status is None:
            names = ", ".join(s["name"] for s in state.public["statuses"])
            raise invalid("status", f"{name!r} is not a status of process {state.public['id']!r} (statuses: {names})")
        return status

    def _assignee(self, raw: Any) -> dict[str, str] | None:
        if raw is None:
            return None
        user = next((u for u in self.ws.users if isinstance(raw, str) and u["email"].lower() == raw.strip().lower()), None)
        if user is None:
            raise invalid("assignee_email", f"{raw!r} is not a user of this workspace")
        return dict(user)

    def _contact_id(self, raw: Any) -> str | None:
        if raw is not None and (not isinstance(raw, str) or raw not in self.ws.contacts):
            raise invalid("contact_id", f"contact {raw!r} does not exist")
        return raw

    def create_entry(self, list_id: str, body: dict[str, Any]) -> dict[str, Any]:
        state = self.state(list_id)
        public = state.public
        v.reject_unknown(body, ENTRY_KEYS + (PROCESS_ONLY_ENTRY_KEYS if state.is_process else ()),
                         "an entry of a process" if state.is_process else "an entry of a regular list (process-only field)")
        entryable_type = v.require_choice(body, "entryable_type", v.ENTRY_TYPES)
        if entryable_type != public["entry_type"]:
            raise invalid("entryable_type", f"list {list_id!r} holds {public['entry_type']} entries, not {entryable_type}")
        entryable_id = v.require_string(body, "entryable_id")
        table = self.ws.contacts if entryable_type == "Contact" else self.ws.organizations
        if entryable_id not in table:
            raise invalid("entryable_id", f"{entryable_type.lower()} {entryable_id!r} does not exist")
        contact_id = self._contact_id(body.get("contact_id"))
        list_fields = self._list_fields(state, body.get("list_fields", []), {})
        now = self._now()
        entry_id = self.ids.new()
        if not state.is_process:
            entry = {"id": entry_id, "key": None, "list_id": list_id, "entryable_id": entryable_id, "entryable_type": entryable_type,
                     "contact_id": contact_id, "list_fields": list_fields, "created_at": now, "updated_at": now}
            state.entries[entry_id] = entry
            return entry
        status = self._status(state, body)
        one_time = v.require_cents(body, "one_time_value_cents")
        recurring = v.require_cents(body, "recurring_value_cents")
        period = v.require_choice(body, "recurring_value_period", v.VALUE_PERIODS)
        assignee = self._assignee(body.get("assignee_email"))
        if not public["duplicates_allowed"] and any(e["entryable_id"] == entryable_id for e in state.entries.values()):
            raise invalid("entryable_id", f"process {list_id!r} does not allow duplicates and already has an entry for {entryable_id!r}")
        entry = {
            "id": entry_id, "key": f"{public['identifier']}-{state.next_key}", "list_id": list_id,
            "entryable_id": entryable_id, "entryable_type": entryable_type, "status": status["name"], "assignee": assignee,
            "contact_id": contact_id, "one_time_value_cents": one_time, "recurring_value_cents": recurring,
            "recurring_value_period": period, "list_fields": list_fields,
            "closed_at": now if status["type"] != "active" else None, "next_entry_id": None,
            "created_at": now, "updated_at": now,
        }
        state.next_key += 1
        state.entries[entry_id] = entry
        return entry

    def update_entry(self, list_id: str, entry_id: str, body: dict[str, Any]) -> dict[str, Any]:
        state = self.state(list_id)
        current = self.entry(list_id, entry_id)
        for key in ("entryable_id", "entryable_type"):
            if key in body:
                raise invalid(key, "cannot be updated")
        v.reject_unknown(body, ENTRY_KEYS + (PROCESS_ONLY_ENTRY_KEYS if state.is_process else ()),
                         "an entry of a process" if state.is_process else "an entry of a regular list (process-only field)")
        updated = dict(current)
        now = self._now()
        if "contact_id" in body:
            updated["contact_id"] = self._contact_id(body["contact_id"])
        if "list_fields" in body:
            updated["list_fields"] = self._list_fields(state, body["list_fields"], current["list_fields"])
        if state.is_process:
            if "status" in body:
                status = self._status(state, body)
                updated["status"] = status["name"]
                if status["type"] == "active":
                    updated["closed_at"] = None
                elif current["closed_at"] is None or status["name"] != current["status"]:
                    updated["closed_at"] = now
            for key in ("one_time_value_cents", "recurring_value_cents"):
                if key in body:
                    updated[key] = v.require_cents(body, key)
            if "recurring_value_period" in body:
                updated["recurring_value_period"] = v.require_choice(body, "recurring_value_period", v.VALUE_PERIODS)
            if "assignee_email" in body:
                updated["assignee"] = self._assignee(body["assignee_email"])
        updated["updated_at"] = now
        state.entries[entry_id] = updated
        return updated

    def delete_entry(self, list_id: str, entry_id: str) -> None:
        self.entry(list_id, entry_id)
        del self.state(list_id).entries[entry_id]
