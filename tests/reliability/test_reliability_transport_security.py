"""TLS verification stays on for real (https) URLs, and the emulator listens on loopback unless told otherwise."""

from __future__ import annotations

import asyncio
import http.server
import ssl
import subprocess
import sys
import threading

import httpx
import psutil
import pytest

from relate_pipeline.client import AsyncRelateClient, ClientSettings, RelateClient, TransportError
from relate_pipeline.emulator.cli import READY_PREFIX
from tests.reliability.reliability_support import ROOT

# A self-signed certificate for 127.0.0.1 (valid until 2126) that nobody's trust store holds.
CERTIFICATE = """-----BEGIN CERTIFICATE-----
MIIBjzCCATagAwIBAgIUC9/YUj2HtSXKrp0N8ronWofft9YwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJMTI3LjAuMC4xMCAXDTI2MTEyNjA0NTUzNVoYDzIxMjYxMTAy
MDQ1NTM1WjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAATuprWq4pZ6JyQJXQej0xRezHLTLgWjk32jYOf7beUP4kCAH4U+HHlZ
uA+v0uN8ksT90lJuRQnWg9GVosQN9zSTo2QwYjAdBgNVHQ4EFgQUsvFf194kUXZq
F5CrKAzY3oKCencwHwYDVR0jBBgwFoAUsvFf194kUXZqF5CrKAzY3oKCencwDwYD
VR0TAQH/BAUwAwEB/zAPBgNVHREECDAGhwR/AAABMAoGCCqGSM49BAMCA0cAMEQC
IFB8mwuMzDKKQ9lzFEoeaN4+KKh+RcnZQgzExlzSihp2AiBPz6rB0Ui15tRbnr5R
RFz7xdb1wQvX8D+KDLCZAeU7Pg==
-----END CERTIFICATE-----
"""
PRIVATE_KEY = """-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgE4NC0Pdmqt0y09s3
RR/HkCDOO6b1I46jNn5d+NWKDDShRANCAATuprWq4pZ6JyQJXQej0xRezHLTLgWj
k32jYOf7beUP4kCAH4U+HHlZuA+v0uN8ksT90lJuRQnWg9GVosQN9zST
-----END PRIVATE KEY-----
"""
EMPTY_PAGE = b'{"data": [], "pagination": {"end_cursor": 0, "has_next_page": false, "total_count": 0}}'


class _EmptyListing(http.server.BaseHTTPRequestHandler):
    served: list[str] = []

    def do_GET(self) -> None:
        self.served.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(EMPTY_PAGE)))
        self.end_headers()
        self.wfile.write(EMPTY_PAGE)

    def log_message(self, *args) -> None:
        return


@pytest.fixture(scope="module")
def https_server(tmp_path_factory):
    """An HTTPS API stand-in on 127.0.0.1 presenting the untrusted certificate; yields (base_url, cert path)."""
    directory = tmp_path_factory.mktemp("tls")
    (directory / "cert.pem").write_text(CERTIFICATE)
    (directory / "key.pem").write_text(PRIVATE_KEY)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(directory / "cert.pem", directory / "key.pem")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _EmptyListing)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{server.server_address[1]}/v1", directory / "cert.pem"
    server.shutdown()
    server.server_close()


def settings(base_url: str) -> ClientSettings:
    return ClientSettings(base_url=base_url, api_key="sk-tls-test", max_retries=0)


def test_server_answers_a_client_that_trusts_its_certificate(https_server):
    base_url, certificate = https_server
    trusting = ssl.create_default_context(cafile=str(certificate))
    with httpx.Client(verify=trusting) as client:
        assert client.get(f"{base_url}/contacts").status_code == 200


def test_sync_client_refuses_an_untrusted_certificate(https_server):
    base_url, _ = https_server
    served_before = len(_EmptyListing.served)
    with RelateClient(settings(base_url)) as client:
        with pytest.raises(TransportError) as caught:
            list(client.list_contacts())
    assert "certificate verify failed" in str(caught.value).lower()
    assert len(_EmptyListing.served) == served_before


def test_async_client_refuses_an_untrusted_certificate(https_server):
    base_url, _ = https_server
    served_before = len(_EmptyListing.served)

    async def list_contacts():
        async with AsyncRelateClient(settings(base_url)) as client:
            return [contact async for contact in client.list_contacts()]

    with pytest.raises(TransportError) as caught:
        asyncio.run(list_contacts())
    assert "certificate verify failed" in str(caught.value).lower()
    assert len(_EmptyListing.served) == served_before


def test_emulator_listens_on_loopback_only_when_no_host_is_given():
    command = [sys.executable, "-m", "relate_pipeline.emulator", "--port", "0", "--days", "1", "--meetings-per-day", "1",
               "--contacts", "2", "--organizations", "1", "--exit-on-stdin-close"]
    emulator = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                cwd=ROOT, text=True)
    try:
        ready = emulator.stdout.readline().strip()
        listening = [c.laddr.ip for c in psutil.Process(emulator.pid).net_connections(kind="inet")
                     if c.status == psutil.CONN_LISTEN]
    finally:
        emulator.stdin.close()
        emulator.wait(timeout=30)
        emulator.stdout.close()
    assert ready.startswith(f"{READY_PREFIX}http://127.0.0.1:")
    assert listening == ["127.0.0.1"]
