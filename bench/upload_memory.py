"""Memory a dashboard keeps after uploads from a client that never signed in.

``python -m bench.upload_memory [--uploads 3] [--mb 90] [--scale 0.2] [--port 8790]
[--checkout DIR]``

One dashboard on a cached demo store, with an accounts file holding one analyst, so a
session nobody signed in to is anonymous. The bench opens such a session on the websocket
as a browser would, then PUTs ``--uploads`` files of ``--mb`` MB to the session's upload
endpoint with a valid XSRF token (cookie and header), streaming each body in 1 MB pieces.
It prints each answer and the server's resident memory (process and children): before,
after each upload, and 5 s after the websocket closed.

``--checkout`` runs another checkout's ``dashboard.py`` on the same store, e.g. one from
before ``ui/server_hardening.py`` (``git worktree add /tmp/before COMMIT``), for a before
and after on the same machine.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import time
from http.cookies import SimpleCookie
from pathlib import Path

from bench.common import CACHE_DIR, demo_store
from bench.load import ROOT, Server, _rss_mb
from bench.ws_session import Session
from threatmon.access.accounts import Accounts

PASSWORD = "correct horse battery staple"
CHUNK = 1024 * 1024


def _xsrf(port: int) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", "/_stcore/health")
    cookie = SimpleCookie(connection.getresponse().getheader("Set-Cookie"))
    connection.close()
    return cookie["_streamlit_xsrf"].value


def put(port: int, session_id: str, megabytes: int) -> str:
    """Upload ``megabytes`` MB to ``session_id`` as the browser does; the answer, short."""
    xsrf = _xsrf(port)
    head = (
        b'--b\r\nContent-Disposition: form-data; name="file"; filename="extract.csv"\r\n'
        b"Content-Type: text/csv\r\n\r\n"
    )
    tail = b"\r\n--b--\r\n"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    connection.putrequest("PUT", f"/_stcore/upload_file/{session_id}/file-{time.time_ns()}")
    connection.putheader("Content-Type", "multipart/form-data; boundary=b")
    connection.putheader("X-Xsrftoken", xsrf)
    connection.putheader("Cookie", f"_streamlit_xsrf={xsrf}")
    connection.putheader("Content-Length", str(len(head) + megabytes * CHUNK + len(tail)))
    connection.endheaders()
    try:
        connection.send(head)
        chunk = b"x" * CHUNK
        for _ in range(megabytes):
            connection.send(chunk)
        connection.send(tail)
    except OSError:
        pass  # the server answered and closed before the whole body was sent
    try:
        answer = connection.getresponse()
        return f"{answer.status} {answer.read()[:60].decode(errors='replace')}".strip()
    except OSError as exc:
        return type(exc).__name__
    finally:
        connection.close()


async def _measure(server: Server, uploads: int, megabytes: int) -> None:
    pid = server.process.pid
    async with Session(server.base, timeout=120) as session:
        await session.open()
        print(f"anonymous session: {_rss_mb(pid):.0f} MB before")
        for number in range(1, uploads + 1):
            answer = await asyncio.to_thread(put, server.port, session.session_id, megabytes)
            print(f"  upload {number} of {megabytes} MB: {answer}; {_rss_mb(pid):.0f} MB")
    await asyncio.sleep(5)
    print(f"websocket closed 5 s ago: {_rss_mb(pid):.0f} MB")


def main() -> None:
    """Parse arguments, start the dashboard, upload and print its memory."""
    parser = argparse.ArgumentParser(prog="python -m bench.upload_memory")
    parser.add_argument("--uploads", type=int, default=3)
    parser.add_argument("--mb", type=int, default=90, help="size of each upload in MB")
    parser.add_argument("--scale", type=float, default=0.2, help="demo store scale")
    parser.add_argument("--port", type=int, default=8790)
    parser.add_argument(
        "--checkout", type=Path, default=ROOT, help="the checkout whose dashboard.py runs"
    )
    args = parser.parse_args()
    store = demo_store(args.scale)
    accounts_path = CACHE_DIR / "upload-memory.accounts.sqlite"
    accounts = Accounts(accounts_path)
    if not accounts.has_users():
        accounts.add("ana", "analyst", password=PASSWORD, by="bench")
    print(f"dashboard of {args.checkout.resolve()}, store at scale {args.scale:g}")
    server = Server(
        store.location.file,
        args.port,
        accounts=accounts_path,
        root=args.checkout.resolve(),
    )
    with server:
        asyncio.run(_measure(server, args.uploads, args.mb))


if __name__ == "__main__":
    main()
