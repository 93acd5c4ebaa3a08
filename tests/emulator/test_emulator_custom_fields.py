"""Custom fields: the spec's select example and every documented rule, over HTTP."""

from __future__ import annotations

import itertools

import pytest
from emulator_support import data_of, error_of

_names = itertools.count()


def fresh_name() -> str:
    return f"field-{next(_names)}"


def test_spec_example_creates_a_select_field(crm):
    body = {"name": "field", "model": "organization", "data_type": "select", "options": ["one", "two"], "accepts_multiple_values": False}
    field = data_of(crm.post("/custom_fields", json=body), 201)
    assert {k: field[k] for k in body} == body
    assert data_of(crm.get(f"/custom_fields/{field['id']}")) == field


def test_data_type_defaults_to_text(crm):
    field = data_of(crm.post("/custom_fields", json={"name": fresh_name(), "model": "contact"}), 201)
    assert (field["data_type"], field["options"], field["accepts_multiple_values"]) == ("text", None, None)


@pytest.mark.parametrize("missing", ["name", "model"])
def test_name_and_model_are_required(crm, missing):
    body = {"name": fresh_name(), "model": "deal"}
    del body[missing]
    assert error_of(crm.post("/custom_fields", json=body), 422)["field"] == missing


def test_model_outside_the_three_is_rejected(crm):
    assert error_of(crm.post("/custom_fields", json={"name": fresh_name(), "model": "user"}), 422)["field"] == "model"


def test_data_type_outside_the_nine_is_rejected(crm):
    body = {"name": fresh_name(), "model": "deal", "data_type": "boolean"}
    assert error_of(crm.post("/custom_fields", json=body), 422)["field"] == "data_type"


def test_select_without_options_is_rejected_naming_options(crm):
    body = {"name": fresh_name(), "model": "deal", "data_type": "select", "accepts_multiple_values": False}
    assert error_of(crm.post("/custom_fields", json=body), 422)["field"] == "options"


@pytest.mark.parametrize("data_type", ["select", "user", "contact"])
def test_multi_value_types_require_accepts_multiple_values(crm, data_type):
    body = {"name": fresh_name(), "model": "deal", "data_type": data_type}
    if data_type == "select":
        body["options"] = ["a"]
    assert error_of(crm.post("/custom_fields", json=body), 422)["field"] == "accepts_multiple_values"


def test_spec_update_example_renames_and_extends_options(crm):
    body = {"name": fresh_name(), "model": "organization", "data_type": "select", "options": ["one", "two"], "accepts_multiple_values": False}
    field = data_of(crm.post("/custom_fields", json=body), 201)
    updated = data_of(crm.patch(f"/custom_fields/{field['id']}", json={"name": "field2", "options": ["one", "two", "three"]}))
    assert (updated["name"], updated["options"]) == ("field2", ["one", "two", "three"])


def test_update_of_a_field_other_than_name_or_options_is_rejected_naming_it(crm):
    field = data_of(crm.post("/custom_fields", json={"name": fresh_name(), "model": "deal"}), 201)
    assert error_of(crm.patch(f"/custom_fields/{field['id']}", json={"model": "contact"}), 422)["field"] == "model"


def test_deleted_custom_field_answers_404(crm):
    field = data_of(crm.post("/custom_fields", json={"name": fresh_name(), "model": "deal"}), 201)
    assert crm.delete(f"/custom_fields/{field['id']}").status_code == 204
    assert "custom field" in error_of(crm.get(f"/custom_fields/{field['id']}"), 404)["message"]
