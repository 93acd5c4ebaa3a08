"""ClientSettings: the value the clients receive, with a key that never shows.

Its values are checked where they are read, in relate_pipeline/settings.py (tests/settings/).
"""

from relate_pipeline.client import ClientSettings

KEY = "sk-live-abcdef123456"


def test_key_absent_from_repr_and_str():
    settings = ClientSettings(api_key=KEY)
    assert KEY not in repr(settings)
    assert KEY not in str(settings)


def test_no_rate_limit_means_no_ceiling():
    assert ClientSettings(api_key=KEY).rate_limit is None
