"""Pure checks and normalisations behind the documented rules; each failure names the offending field."""

from __future__ import annotations

import re
from typing import Any

from .errors import invalid

EMAIL_RE = re.compile(r"^[^@\s]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")
HOST_RE = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z][a-z0-9-]*[a-z0-9]$")
DATA_TYPES = ("text", "textarea", "url", "number", "date", "datetime", "select", "user", "contact")
MULTI_VALUE_TYPES = ("select", "user", "contact")
MODELS = ("organization", "contact", "deal")
ENTRY_TYPES = ("Contact", "Organization")
STATUS_TYPES = ("active", "won", "lost", "done")  # "done": the reference documents three, its own examples use it
VALUE_PERIODS = ("monthly", "annual", "one_time")


def is_email(value: Any) -> bool:
    return isinstance(value, str) and EMAIL_RE.match(value.strip()) is not None


def email_domain(email: str) -> str:
    return email.strip().rsplit("@", 1)[1].lower()


def normalize_domain(value: Any) -> str | None:
    """`https://www.Relate.so/pricing` -> `relate.so`; None when the value is not a usable host name."""
    if not isinstance(value, str):
        return None
    host = value.strip().lower()
    host = re.sub(r"^[a-z][a-z0-9+.-]*://", "", host)
    host = host.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    host = host.rsplit("@", 1)[-1].split(":", 1)[0]
    if host.startswith("www."):
        host = host[4:]
    return host if HOST_RE.match(host) else None


def normalize_phone(value: str) -> str | None:
    """A phone number in E.164 form; Korean national numbers (leading 0) become +82.

    `+821012345678`, `01012345678`, `010-1234-5678` and `+82 (0)10 1234 5678` all map to
    `+821012345678`. None when there are too few digits to be a phone number.
    """
    text = value.strip()
    international = text.startswith("+")
    digits = re.sub(r"\D", "", text)
    if len(digits) < 7:
        return None
    if international:
        if digits.startswith("820"):
            digits = "82" + digits[3:]
        return "+" + digits
    if digits.startswith("00"):
        return "+" + digits[2:]
    if digits.startswith("0"):
        return "+82" + digits[1:]
    if digits.startswith("82") and len(digits) >= 11:
        return "+" + digits
    return "+82" + digits


def require_object(value: Any, field: str) -> dict:
    if not isinstance(value, dict):
        raise invalid(field, "must be a JSON object")
    return value


def require_string(body: dict, field: str, *, label: str | None = None) -> str:
    value = body.get(field)
    if not isinstance(value, str) or not value.strip():
        raise invalid(label or field, "is required and must be a non-empty string")
    return value


def optional_string(body: dict, field: str) -> str | None:
    value = body.get(field)
    if value is not None and not isinstance(value, str):
        raise invalid(field, "must be a string or null")
    return value


def require_bool(body: dict, field: str, *, label: str | None = None) -> bool:
    value = body.get(field)
    if not isinstance(value, bool):
        raise invalid(label or field, "is required and must be true or false")
    return value


def require_cents(body: dict, field: str) -> int:
    value = body.get(field)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise invalid(field, "is required and must be a non-negative integer number of cents")
    return value


def require_choice(body: dict, field: str, choices: tuple[str, ...], *, label: str | None = None) -> str:
    value = body.get(field)
    if value not in choices:
        raise invalid(label or field, f"must be one of {', '.join(choices)} (got {value!r})")
    return value


def string_list(value: Any, field: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise invalid(field, "must be an array of strings")
    return value


def email_list(value: Any, field: str = "emails") -> list[str]:
    emails = string_list(value, field)
    for email in emails:
        if not is_email(email):
            raise invalid(field, f"{email!r} is not a valid email address")
    return [email.strip() for email in emails]


def domain_list(value: Any, field: str = "domains") -> list[str]:
    domains = []
    for raw in string_list(value, field):
        host = normalize_domain(raw)
        if host is None:
            raise invalid(field, f"{raw!r} is not a valid domain")
        domains.append(host)
    return domains


def phone_list(value: Any, field: str = "phone_numbers") -> list[str]:
    phones = string_list(value, field)
    for phone in phones:
        if normalize_phone(phone) is None:
            raise invalid(field, f"{phone!r} is not a valid phone number")
    return [phone.strip() for phone in phones]


def merge_unique(existing: list[str], additions: list[str], key=str.lower) -> list[str]:
    """Appends what is not already present (compared through `key`), keeping the original order."""
    seen = {key(item) for item in existing}
    merged = list(existing)
    for item in additions:
        if key(item) not in seen:
            seen.add(key(item))
            merged.append(item)
    return merged


def reject_unknown(body: dict, allowed: tuple[str, ...] | set[str], what: str) -> None:
    for key in body:
        if key not in allowed:
            raise invalid(key, f"cannot be set on {what}")


def options_list(value: Any, field: str) -> list[str]:
    options = string_list(value, field)
    if not options or not all(option.strip() for option in options):
        raise invalid(field, "must be a non-empty array of non-empty strings")
    if len({option for option in options}) != len(options):
        raise invalid(field, "must not repeat an option")
    return options


def field_definition(raw: Any, label: str) -> dict:
    """One list/process field definition, shaped like the spec's `fields` items."""
    spec = require_object(raw, label)
    name = require_string(spec, "name", label=f"{label}.name")
    data_type = require_choice(spec, "data_type", DATA_TYPES, label=f"{label}.data_type")
    definition: dict[str, Any] = {"name": name, "data_type": data_type}
    if data_type in MULTI_VALUE_TYPES:
        definition["accepts_multiple_values"] = require_bool(spec, "accepts_multiple_values", label=f"{label}.accepts_multiple_values")
    if data_type == "select":
        if "options" not in spec:
            raise invalid(f"{label}.options", "is required when data_type is select")
        definition["options"] = options_list(spec["options"], f"{label}.options")
    return definition


def field_definitions(value: Any, field: str = "fields") -> list[dict]:
    if not isinstance(value, list):
        raise invalid(field, "must be an array of field definitions")
    definitions = [field_definition(item, f"{field}[{index}]") for index, item in enumerate(value)]
    names = [definition["name"] for definition in definitions]
    if len(set(names)) != len(names):
        raise invalid(field, "field names must be unique")
    return definitions


def status_definitions(value: Any, field: str = "statuses") -> list[dict]:
    if not isinstance(value, list) or not value:
        raise invalid(field, "must be a non-empty array of statuses")
    statuses = []
    for index, raw in enumerate(value):
        label = f"{field}[{index}]"
        spec = require_object(raw, label)
        name = require_string(spec, "name", label=f"{label}.name")
        status_type = require_choice(spec, "type", STATUS_TYPES, label=f"{label}.type")
        statuses.append({"name": name, "type": status_type})
    names = [status["name"] for status in statuses]
    if len(set(names)) != len(names):
        raise invalid(field, "status names must be unique")
    return statuses


def field_value(definition: dict, value: Any, label: str) -> Any:
    """A value for a custom or list field, checked against the field's type and options."""
    multiple = definition.get("accepts_multiple_values") is True
    values = value if isinstance(value, list) else [value]
    if isinstance(value, list) and not multiple:
        raise invalid(label, f"field {definition['name']!r} accepts a single value")
    for item in values:
        if item is None:
            continue
        if definition["data_type"] == "number":
            if isinstance(item, bool) or not isinstance(item, (int, float, str)):
                raise invalid(label, f"field {definition['name']!r} needs a number")
        elif not isinstance(item, str):
            raise invalid(label, f"field {definition['name']!r} needs a string value")
        if definition["data_type"] == "select" and item not in (definition.get("options") or []):
            raise invalid(label, f"{item!r} is not an option of field {definition['name']!r}")
    return value
