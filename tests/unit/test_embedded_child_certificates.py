"""Start-up (issue 14): the practice exchange's child imports its server without loading the
system's CA certificates (aiohttp builds two default client TLS contexts at import; the child
opens no TLS connection), and its environment is as before afterwards."""

from __future__ import annotations

import json
import os
import ssl
import subprocess
import sys

import pytest

from kcterm.embedded import no_ca_certificates


def test_inside_a_default_context_trusts_nothing_and_the_environment_comes_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", "/somewhere/a-bundle.pem")
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    with no_ca_certificates():
        inside = ssl.create_default_context()
        assert os.environ["SSL_CERT_FILE"] == os.devnull
    assert inside.cert_store_stats()["x509_ca"] == 0
    assert inside.verify_mode == ssl.CERT_REQUIRED  # verifies still: refuses every server
    assert os.environ["SSL_CERT_FILE"] == "/somewhere/a-bundle.pem"
    assert "SSL_CERT_DIR" not in os.environ


def test_the_environment_comes_back_after_an_error_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.setenv("SSL_CERT_DIR", "/etc/some-certs")
    with pytest.raises(RuntimeError), no_ca_certificates():
        raise RuntimeError("the import failed")
    assert "SSL_CERT_FILE" not in os.environ
    assert os.environ["SSL_CERT_DIR"] == "/etc/some-certs"


@pytest.mark.skipif(sys.platform == "win32", reason="Windows reads its own certificate stores")
def test_the_exchange_server_imported_so_holds_no_ca_and_later_contexts_do() -> None:
    probe = (
        "import json, ssl, sys; from kcterm.embedded import no_ca_certificates; "
        "before = 'aiohttp' in sys.modules\n"
        "with no_ca_certificates():\n"
        "    import kcterm.sim.server\n"
        "import aiohttp.connector as c\n"
        "print(json.dumps([before, c._SSL_CONTEXT_VERIFIED.cert_store_stats()['x509_ca'], "
        "ssl.create_default_context().cert_store_stats()['x509_ca'] > 0]))"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("SSL_CERT_FILE", "SSL_CERT_DIR")}
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=env
    ).stdout
    # aiohttp first imported inside; its default verified context holds no CA; a context made
    # afterwards loads the system's (this machine has some)
    assert json.loads(out) == [False, 0, True]
