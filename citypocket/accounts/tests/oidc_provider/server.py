"""Runs the test OpenID Connect provider as a gunicorn process on a free local port."""

import os
import secrets
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

PROJECT_DIR = Path(__file__).resolve().parents[4]
SETTINGS = "citypocket.accounts.tests.oidc_provider.settings"


@dataclass(frozen=True)
class Provider:
    issuer: str
    client_id: str
    client_secret: str
    username: str
    password: str
    email: str

    @property
    def origin(self) -> str:
        return self.issuer.rsplit("/o", 1)[0]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _write_signing_key(path: Path) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )


@contextmanager
def running_provider(data_dir: Path, *, redirect_uris: list[str], post_logout_redirect_uris: list[str],
                     acr: str = "eidas1", timeout: float = 30.0):
    """Starts the provider for CityPocket's callback URLs; stops it (its own process only) on exit."""
    data_dir.mkdir(parents=True, exist_ok=True)
    _write_signing_key(data_dir / "signing-key.pem")
    port = _free_port()
    provider = Provider(
        issuer=f"http://127.0.0.1:{port}/o",
        client_id="citypocket-" + secrets.token_hex(4),
        client_secret=secrets.token_urlsafe(24),
        username="marie",
        password=secrets.token_urlsafe(12),
        email="marie.dupont@example.org",
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "OIDC_PROVIDER_DIR": str(data_dir),
        "OIDC_PROVIDER_ISSUER": provider.issuer,
        "OIDC_PROVIDER_ACR": acr,
        "OIDC_PROVIDER_USERNAME": provider.username,
        "OIDC_PROVIDER_PASSWORD": provider.password,
        "OIDC_PROVIDER_EMAIL": provider.email,
        "OIDC_PROVIDER_CLIENT_ID": provider.client_id,
        "OIDC_PROVIDER_CLIENT_SECRET": provider.client_secret,
        "OIDC_PROVIDER_REDIRECT_URIS": " ".join(redirect_uris),
        "OIDC_PROVIDER_POST_LOGOUT_REDIRECT_URIS": " ".join(post_logout_redirect_uris),
    }
    subprocess.run([sys.executable, "-m", "citypocket.accounts.tests.oidc_provider.seed"], cwd=PROJECT_DIR,
                   env=env, check=True)
    log = (data_dir / "server.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "4",
         "--log-level", "warning", "citypocket.accounts.tests.oidc_provider.wsgi:application"],
        cwd=PROJECT_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the test provider stopped: {(data_dir / 'server.log').read_text()}")
            try:
                if httpx.get(f"{provider.issuer}/.well-known/openid-configuration", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the test provider did not start in time")
            time.sleep(0.1)
        yield provider
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
