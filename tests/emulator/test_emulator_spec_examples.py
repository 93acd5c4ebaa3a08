"""Every request body the API reference shows, sent to the emulator as written.

The bodies below are the reference's curl examples, byte for byte, except where it writes `...`
for a value the reader supplies: there an id is taken from the workspace (or from the object an
earlier example created) and a name is made distinct. Everything else — "Category": "Startup",
"House": "Atreides", a status of type "done", option names — is sent exactly as printed, so the
seeded workspace has to hold what the examples assume.
"""

from __future__ import annotations

import json

import pytest
from emulator_support import api_client, data_of, error_of


EMULATOR = dict(seed=21, days=1, end_date="2026-05-20", meetings_per_day=2, contacts=8, organizations=3)


def _send(client, method, path, body=None, status=200):
    """One example; `body` is the reference's JSON text, sent as those bytes."""
    content = None if body is None else body.encode()
    headers = {} if body is None else {"Content-Type": "application/json"}
    response = client.request(method, path, content=content, headers=headers)
    assert response.status_code == status, f"{method} {path}: {response.text}"
    if status == 204:
        return None
    body = response.json()
    return data_of(response, status) if set(body) == {"data"} else body


def test_every_example_body_of_the_reference_succeeds(module_emulator):
    snapshot = module_emulator.admin.snapshot()
    organization_id = snapshot["organizations"][0]["id"]
    user_email = snapshot["users"][0]["email"]
    with api_client(module_emulator) as api:
        contact = _send(api, "POST", "/contacts", '{"organization_id":"%s","first_name":"Paul","last_name":"Atreides","emails":["paul@atreid.es"]}' % organization_id, 201)
        updated = _send(api, "PATCH", f"/contacts/{contact['id']}", '{"emails":["usul@arrak.is"],"custom_fields":[{"name":"House","value":"Atreides"}]}')
        assert {"name": "House", "value": "Atreides"} in updated["custom_fields"]
        _send(api, "DELETE", f"/contacts/{contact['id']}/emails", '{"emails":["usul@arrak.is"]}')

        organization = _send(api, "POST", "/organizations", '{"name":"Relate","domains":["relate.so"]}', 201)
        updated = _send(api, "PATCH", f"/organizations/{organization['id']}", '{"name":"Relate","domains":["relate.so","relate.kr"],"custom_fields":[{"name":"Category","value":"Startup"}]}')
        assert {"name": "Category", "value": "Startup"} in updated["custom_fields"]
        _send(api, "DELETE", f"/organizations/{organization['id']}/domains", '{"domains":["relate.kr"]}')

        note = _send(api, "POST", "/notes", '{"organization_id":"%s","deal_id":"...","body":"this is a note"}' % organization["id"], 201)
        _send(api, "PATCH", f"/notes/{note['id']}", '{"body":"this is an edited note"}')

        field = _send(api, "POST", "/custom_fields", '{"name":"field","model":"organization","data_type":"select","options":["one","two"],"accepts_multiple_values":false}', 201)
        _send(api, "PATCH", f"/custom_fields/{field['id']}", '{"name":"field2","options":["one","two","three"]}')

        _send(api, "POST", "/lists", json.dumps({
            "name": "Reading list", "process": False, "entry_type": "Contact",
            "fields": [
                {"name": "Shelf", "data_type": "select", "accepts_multiple_values": False, "options": ["option1", "option2", "option3"]},
                {"name": "Review", "data_type": "textarea"},
            ],
        }), 201)
        process = _send(api, "POST", "/lists", json.dumps({
            "name": "Deals", "process": True, "entry_type": "Contact", "identifier": "DEAL",
            "duplicates_allowed": False, "entry_label": "Deal", "status_label": "Stage",
            "statuses": [{"name": "Lead", "type": "active"}, {"name": "Talking", "type": "active"}, {"name": "Signed", "type": "done"}],
            "fields": [
                {"name": "Size", "data_type": "select", "accepts_multiple_values": False, "options": ["option1", "option2", "option3"]},
                {"name": "Close date", "data_type": "date"},
            ],
        }), 201)
        _send(api, "PATCH", f"/lists/{process['id']}", json.dumps({
            "name": "Deals 2026", "identifier": "DEAL26", "duplicates_allowed": False, "entry_label": "Deal",
            "status_label": "Stage", "statuses": [{"name": "Lead", "type": "active"}, {"name": "Signed", "type": "done"}],
            "fields": [{"name": "Close date", "data_type": "date"}],
        }))

        board = _send(api, "POST", "/lists", json.dumps({
            "name": "Pipeline", "process": True, "entry_type": "Contact", "identifier": "PIPE", "duplicates_allowed": False,
            "fields": [{"name": "Summary", "data_type": "text"},
                       {"name": "Products", "data_type": "select", "accepts_multiple_values": True, "options": ["option1", "option2"]}],
        }), 201)
        entry = _send(api, "POST", f"/lists/{board['id']}/entries", json.dumps({
            "entryable_id": contact["id"], "entryable_type": "Contact", "status": "Started",
            "assignee_email": user_email, "one_time_value_cents": 0, "recurring_value_cents": 0,
            "recurring_value_period": "monthly", "contact_id": contact["id"],
            "list_fields": [{"name": "Summary", "value": "..."}, {"name": "Products", "value": ["option1", "option2"]}],
        }), 201)
        _send(api, "PATCH", f"/lists/{board['id']}/entries/{entry['id']}")

        _send(api, "DELETE", f"/lists/{board['id']}/entries/{entry['id']}", status=204)
        _send(api, "DELETE", f"/lists/{process['id']}", status=204)
        _send(api, "DELETE", f"/custom_fields/{field['id']}", status=204)
        _send(api, "DELETE", f"/notes/{note['id']}", status=204)
        _send(api, "DELETE", f"/organizations/{organization['id']}", status=204)
        _send(api, "DELETE", f"/contacts/{contact['id']}", status=204)


@pytest.mark.parametrize(("path_of", "model"), [("contacts", "contact"), ("organizations", "organization")])
def test_a_custom_field_name_the_workspace_lacks_is_refused_naming_it(module_emulator, path_of, model):
    target = module_emulator.admin.snapshot()[path_of][0]["id"]
    with api_client(module_emulator) as api:
        response = api.patch(f"/{path_of}/{target}", json={"custom_fields": [{"name": "Planet", "value": "Caladan"}]})
    error = error_of(response, 422)
    assert error["field"] == "custom_fields[0].name" and "Planet" in error["message"] and model in error["message"]
