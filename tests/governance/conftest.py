"""The governance specs run the real pipeline: the end-to-end harness of tests/pipeline, shared."""

from tests.pipeline.conftest import make_harness  # noqa: F401  (a fixture, found by name)
