"""The reverse proxy's configuration, filled in from deploy/nginx/threatmon.conf.template.

For a deployment (docs/deployment.md)::

    .venv/bin/python -m devtools.nginx --ports 8501 8502 \\
        --certificate /etc/ssl/certs/threatmon.pem --key /etc/ssl/private/threatmon.key \\
        --server-name threatmon.police.local > /etc/nginx/conf.d/threatmon.conf

The tests and the load bench run the same text in a private nginx (:func:`running_proxy`):
an unprivileged configuration whose pid file, logs and temporary files live in one folder,
on high ports, with a self-signed certificate made on the spot (:func:`self_signed`).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import ipaddress
import os
import shutil
import socket
import ssl
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "deploy" / "nginx" / "threatmon.conf.template"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
#: What the access log of :func:`running_proxy` writes per request (tests read it).
LOG_FORMAT = "$status $request_method $uri route=$tm_route upstream=$upstream_addr"


def max_upload_mb(config: Path = ROOT / ".streamlit" / "config.toml") -> int:
    """``server.maxUploadSize`` (MB) of the dashboard's Streamlit configuration."""
    return int(tomllib.loads(config.read_text())["server"]["maxUploadSize"])


def render(
    ports: Sequence[int],
    certificate: Path | str,
    key: Path | str,
    *,
    https_port: int = 443,
    http_port: int = 80,
    server_name: str = "_",
    upload_mb: int | None = None,
    address: str | None = None,
) -> str:
    """The site configuration for dashboards on loopback ``ports``, behind TLS.

    nginx listens on every address (IPv4 and IPv6), or on ``address`` alone.

    The body limit of uploads is ``upload_mb`` (default: the dashboard's
    ``server.maxUploadSize``) plus 1 MB, the margin Streamlit itself allows for the
    multipart framing around the file.
    """
    if not ports:
        raise ValueError("At least one dashboard port is needed.")
    upload_mb = max_upload_mb() if upload_mb is None else upload_mb

    def listen(port: int, suffix: str = "") -> str:
        where = [f"{address}:{port}"] if address else [str(port), f"[::]:{port}"]
        return "\n".join(f"    listen {spot}{suffix};" for spot in where)

    values = {
        "HTTPS_LISTEN": listen(int(https_port), " ssl"),
        "HTTP_LISTEN": listen(int(http_port)),
        "SERVERS": "\n".join(f"    server 127.0.0.1:{int(port)};" for port in ports),
        "HTTPS_PORT_SUFFIX": "" if https_port == 443 else f":{int(https_port)}",
        "SERVER_NAME": server_name,
        "CERTIFICATE": str(certificate),
        "CERTIFICATE_KEY": str(key),
        "MAX_BODY": f"{int(upload_mb) + 1}m",
    }
    text = TEMPLATE.read_text()
    for name, value in values.items():
        text = text.replace(f"@{name}@", value)
    return text


def self_signed(directory: Path, host: str = "127.0.0.1") -> tuple[Path, Path]:
    """A certificate for ``host`` valid for a day, and its key: (certificate, key) paths."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(host))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "threatmon.crt", directory / "threatmon.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    return cert_path, key_path


def standalone_config(directory: Path, site: Path) -> str:
    """An nginx.conf that runs ``site`` from ``directory`` alone: no system paths written."""
    folders = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    for folder in folders:
        (directory / folder).mkdir(exist_ok=True)
    temp = "\n".join(f"    {name}_temp_path {directory / name};" for name in folders)
    # As root, nginx would run its workers as "nobody", which cannot enter a test's
    # private folder; a private proxy keeps the user it was started as.
    user = "user root root;\n" if os.geteuid() == 0 else ""
    return (
        f"{user}daemon off;\nworker_processes 1;\npid {directory / 'nginx.pid'};\n"
        f"error_log {directory / 'error.log'} warn;\n"
        "events { worker_connections 1024; }\n"
        "http {\n"
        f"{temp}\n"
        f"    log_format threatmon '{LOG_FORMAT}';\n"
        f"    access_log {directory / 'access.log'} threatmon;\n"
        f"    include {site};\n"
        "}\n"
    )


@dataclass(frozen=True)
class Proxy:
    """A running private nginx: its https and http addresses, what it logs, its master's pid."""

    base: str
    http_base: str
    certificate: Path
    access_log: Path
    error_log: Path
    pid: int

    def ssl_context(self) -> ssl.SSLContext:
        """A client context that trusts this proxy's certificate (and nothing else)."""
        return ssl.create_default_context(cafile=str(self.certificate))

    def log_lines(self) -> list[str]:
        return self.access_log.read_text().splitlines() if self.access_log.exists() else []


def _wait_for_port(port: int, process: subprocess.Popen, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"nginx stopped with exit code {process.returncode}.")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return
        time.sleep(0.1)
    raise RuntimeError(f"nginx did not listen on port {port} within {seconds:g} s.")


@contextlib.contextmanager
def running_proxy(
    ports: Sequence[int], directory: Path, https_port: int, http_port: int
) -> Iterator[Proxy]:
    """nginx with the deployment's configuration in front of the dashboards on ``ports``,
    on loopback ``https_port`` and ``http_port``, run from ``directory``; stopped on exit."""
    directory.mkdir(parents=True, exist_ok=True)
    certificate, key = self_signed(directory)
    site = directory / "threatmon.conf"
    site.write_text(
        render(
            ports,
            certificate,
            key,
            https_port=https_port,
            http_port=http_port,
            address="127.0.0.1",
        )
    )
    conf = directory / "nginx.conf"
    conf.write_text(standalone_config(directory, site))
    check = subprocess.run(
        [NGINX, "-t", "-q", "-p", str(directory), "-c", str(conf), "-e", "stderr"],
        capture_output=True,
        text=True,
    )
    if check.returncode != 0:
        raise RuntimeError(f"nginx refused the configuration:\n{check.stderr}")
    process = subprocess.Popen(
        [NGINX, "-p", str(directory), "-c", str(conf), "-e", "stderr"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for_port(https_port, process)
        yield Proxy(
            f"https://127.0.0.1:{https_port}",
            f"http://127.0.0.1:{http_port}",
            certificate,
            directory / "access.log",
            directory / "error.log",
            process.pid,
        )
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main(argv: Sequence[str] | None = None) -> None:
    """Print the site configuration for a deployment (see the module docstring)."""
    parser = argparse.ArgumentParser(prog="python -m devtools.nginx", description=__doc__)
    parser.add_argument("--ports", type=int, nargs="+", required=True, help="dashboard ports")
    parser.add_argument("--certificate", required=True, help="the TLS certificate (PEM)")
    parser.add_argument("--key", required=True, help="the certificate's private key (PEM)")
    parser.add_argument("--server-name", default="_", help="nginx server_name (default: any)")
    parser.add_argument("--https-port", type=int, default=443)
    parser.add_argument("--http-port", type=int, default=80, help="redirects to https")
    args = parser.parse_args(argv)
    sys.stdout.write(
        render(
            args.ports,
            args.certificate,
            args.key,
            https_port=args.https_port,
            http_port=args.http_port,
            server_name=args.server_name,
        )
    )


if __name__ == "__main__":
    main()
