"""The governance specs run the real pipeline: the end-to-end harness of tests/pipeline and the S3 server of tests/scaleout, shared."""

from tests.pipeline.conftest import make_harness  # noqa: F401  (fixtures, found by name)
from tests.scaleout.conftest import bucket, s3_endpoint, s3_env  # noqa: F401
