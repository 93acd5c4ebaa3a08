"""The CRM snapshot: contacts, organizations, notes, custom fields, lists and entries, fetched and flattened."""
