from __future__ import annotations

import gzip
import ipaddress
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest
import urllib3

from factcheck.ingest import IngestError, fetch_url

MB = 1024 * 1024
LOCAL = {"allowed_addresses": {"127.0.0.1"}}


class Server:
    """A real HTTP server on a loopback address, recording every request it receives."""

    def __init__(self, host: str = "127.0.0.1", *, tls: ssl.SSLContext | None = None) -> None:
        self.requests: list[tuple[str, str]] = []  # (path, Host header)
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                server.requests.append((self.path, self.headers.get("Host", "")))
                path, _, query = self.path.partition("?")
                route = getattr(server, "route_" + path.strip("/").replace("-", "_") or "root", None)
                if route is None:
                    self.send_error(404, "Not Found")
                    return
                route(self, parse_qs(query))

        self.httpd = ThreadingHTTPServer((host, 0), Handler)
        self.httpd.daemon_threads = True
        if tls is not None:
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        self.base = f"{'https' if tls else 'http'}://{host}:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, status: int, body: bytes, headers: dict[str, str]) -> None:
        handler.send_response(status)
        for key, value in headers.items():
            handler.send_header(key, value)
        handler.end_headers()
        handler.wfile.write(body)

    def route_ok(self, h: BaseHTTPRequestHandler, q: dict[str, list[str]]) -> None:
        body = f"<p>Hello from {h.headers.get('Host')}</p>".encode()
        self._send(h, 200, body, {"Content-Type": "text/html; charset=utf-8", "Content-Length": str(len(body))})

    def route_redirect(self, h: BaseHTTPRequestHandler, q: dict[str, list[str]]) -> None:
        self._send(h, 302, b"", {"Location": q["to"][0], "Content-Length": "0"})

    def route_loop(self, h: BaseHTTPRequestHandler, q: dict[str, list[str]]) -> None:
        self._send(h, 301, b"", {"Location": "/loop", "Content-Length": "0"})

    def route_big(self, h: BaseHTTPRequestHandler, q: dict[str, list[str]]) -> None:
        self._send(h, 200, b"a" * (2 * MB), {"Content-Length": str(2 * MB)})

    def route_stream_big(self, h: BaseHTTPRequestHandler, q: dict[str, list[str]]) -> None:
        # No Content-Length: the body runs until the connection closes.
        h.send_response(200)
        h.end_headers()
        for _ in range(32):
            h.wfile.write(b"b" * (64 * 1024))

    def route_gzip(self, h: BaseHTTPRequestHandler, q: dict[str, list[str]]) -> None:
        raw = bytes(int(q.get("size", ["100"])[0]))
        body = gzip.compress(raw)
        self._send(h, 200, body, {"Content-Encoding": "gzip", "Content-Length": str(len(body))})

    def route_slow(self, h: BaseHTTPRequestHandler, q: dict[str, list[str]]) -> None:
        h.send_response(200)
        h.send_header("Content-Length", "1000")
        h.end_headers()
        try:
            for _ in range(1000):  # one byte every 0.1 s: each read is quick, the whole is not
                h.wfile.write(b"x")
                h.wfile.flush()
                time.sleep(0.1)
        except OSError:
            pass


@pytest.fixture
def server() -> Iterator[Server]:
    s = Server()
    yield s
    s.close()


@pytest.fixture
def no_connections(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Fail loudly if anything tries to open a connection."""
    attempts: list[tuple[str, int]] = []

    def refuse(address: tuple[str, int], *args: object, **kwargs: object) -> socket.socket:
        attempts.append(address)
        raise AssertionError(f"tried to connect to {address}")

    monkeypatch.setattr(urllib3.util.connection, "create_connection", refuse)
    return attempts


def fixed(mapping: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    """A resolver for invented host names; IP literals resolve to themselves."""

    def resolve(host: str, port: int) -> list[str]:
        return mapping.get(host, [host])

    return resolve


# --- success -------------------------------------------------------------------------------


def test_fetch_from_an_explicitly_allowed_local_server(server: Server) -> None:
    result = fetch_url(server.base + "/ok", timeout=5, max_bytes=MB, **LOCAL)
    assert result.status == 200
    assert result.url == result.final_url == server.base + "/ok"
    assert result.content_type == "text/html; charset=utf-8"
    assert result.data == f"<p>Hello from 127.0.0.1:{server.port}</p>".encode()


def test_allow_private_switch(server: Server) -> None:
    assert fetch_url(server.base + "/ok", timeout=5, max_bytes=MB, allow_private=True).status == 200


def test_redirects_are_followed(server: Server) -> None:
    result = fetch_url(server.base + "/redirect?to=/ok", timeout=5, max_bytes=MB, **LOCAL)
    assert result.final_url == server.base + "/ok"
    assert [path for path, _ in server.requests] == ["/redirect?to=/ok", "/ok"]


def test_connection_is_pinned_to_the_vetted_address_and_keeps_the_host_name(server: Server) -> None:
    """DNS rebinding: a second lookup would answer 10.0.0.5, but there is no second lookup."""
    answers = iter([["127.0.0.1"], ["10.0.0.5"]])
    lookups: list[str] = []

    def rebinding(host: str, port: int) -> list[str]:
        lookups.append(host)
        return next(answers)

    result = fetch_url(f"http://news.test:{server.port}/ok", timeout=5, max_bytes=MB, resolver=rebinding, **LOCAL)
    assert lookups == ["news.test"]
    assert server.requests == [("/ok", f"news.test:{server.port}")]
    assert result.data == f"<p>Hello from news.test:{server.port}</p>".encode()


def test_small_gzip_body_is_decoded(server: Server) -> None:
    assert fetch_url(server.base + "/gzip?size=1000", timeout=5, max_bytes=MB, **LOCAL).data == bytes(1000)


# --- refusals before connecting ----------------------------------------------------------------


@pytest.mark.parametrize("url", ["ftp://example.com/a.txt", "file:///etc/passwd", "javascript:alert(1)", "example.com"])
def test_only_http_and_https(url: str, no_connections: list[tuple[str, int]]) -> None:
    with pytest.raises(IngestError, match="Only http:// and https:// addresses can be fetched."):
        fetch_url(url, timeout=5, max_bytes=MB)
    assert no_connections == []


def test_credentials_in_the_address_are_refused(no_connections: list[tuple[str, int]]) -> None:
    with pytest.raises(IngestError, match="user name or password"):
        fetch_url("http://user:pass@example.com/", timeout=5, max_bytes=MB)


def test_loopback_server_is_refused_without_the_test_exemption(server: Server) -> None:
    with pytest.raises(IngestError) as caught:
        fetch_url(server.base + "/ok", timeout=5, max_bytes=MB)
    assert caught.value.message == "Refused: the address resolves to a loopback address."
    assert server.requests == []


@pytest.mark.parametrize(
    "host", ["localhost", "127.1", "2130706433", "0x7f.0.0.1", "[::1]", "[::ffff:127.0.0.1]", "0.0.0.0"]
)
def test_loopback_in_disguise_is_refused(host: str, no_connections: list[tuple[str, int]]) -> None:
    with pytest.raises(IngestError, match="^Refused: the address resolves to"):
        fetch_url(f"http://{host}:8080/", timeout=5, max_bytes=MB)
    assert no_connections == []


@pytest.mark.parametrize(
    "address, kind",
    [
        ("10.0.0.5", "a private network"),
        ("192.168.1.10", "a private network"),
        ("172.16.0.1", "a private network"),
        ("fd00::1", "a private network"),
        ("127.0.0.1", "a loopback address"),
        ("::1", "a loopback address"),
        ("::ffff:10.0.0.5", "a private network"),
        ("169.254.169.254", "a link-local address"),
        ("fe80::1", "a link-local address"),
        ("224.0.0.1", "a multicast address"),
        ("ff02::1", "a multicast address"),
        ("0.0.0.0", "an unspecified address"),
        ("::", "an unspecified address"),
        ("240.0.0.1", "a"),  # reserved (reported as private or reserved by the standard library)
        ("100.64.0.1", "a non-public network"),  # carrier-grade NAT
        ("2002:a00:5::", "a private network"),  # 6to4 wrapping 10.0.0.5
        ("64:ff9b::a00:5", "a private network"),  # NAT64 wrapping 10.0.0.5
    ],
)
def test_non_public_addresses_are_refused(address: str, kind: str, no_connections: list[tuple[str, int]]) -> None:
    with pytest.raises(IngestError) as caught:
        fetch_url("https://intranet.test/", timeout=5, max_bytes=MB, resolver=fixed({"intranet.test": [address]}))
    assert caught.value.message.startswith(f"Refused: the address resolves to {kind}")
    assert str(ipaddress.ip_address(address)) not in caught.value.message  # internal addresses are not echoed
    assert no_connections == []


def test_private_message_wording(no_connections: list[tuple[str, int]]) -> None:
    with pytest.raises(IngestError) as caught:
        fetch_url("http://intranet.test/", timeout=5, max_bytes=MB, resolver=fixed({"intranet.test": ["10.0.0.5"]}))
    assert caught.value.message == "Refused: the address resolves to a private network."


def test_one_private_answer_among_public_ones_is_enough_to_refuse(no_connections: list[tuple[str, int]]) -> None:
    resolver = fixed({"mixed.test": ["93.184.216.34", "10.0.0.5"]})
    with pytest.raises(IngestError, match=r"private network\.$"):
        fetch_url("http://mixed.test/", timeout=5, max_bytes=MB, resolver=resolver)


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"])
def test_public_addresses_pass_the_check(address: str, no_connections: list[tuple[str, int]]) -> None:
    with pytest.raises(AssertionError, match="tried to connect"):
        fetch_url("http://public.test/", timeout=5, max_bytes=MB, resolver=fixed({"public.test": [address]}))
    assert no_connections == [(address, 80)]


def test_unknown_host(no_connections: list[tuple[str, int]]) -> None:
    def failing(host: str, port: int) -> list[str]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    with pytest.raises(IngestError, match="^The host name 'nowhere.test' could not be found.$"):
        fetch_url("http://nowhere.test/", timeout=5, max_bytes=MB, resolver=failing)


# --- redirects ------------------------------------------------------------------------------------


def test_redirect_to_another_loopback_address_is_refused_before_connecting(server: Server) -> None:
    second = Server(host="127.0.0.2")
    try:
        with pytest.raises(IngestError) as caught:
            fetch_url(server.base + f"/redirect?to={second.base}/ok", timeout=5, max_bytes=MB, **LOCAL)
        assert caught.value.message == "Refused: the address resolves to a loopback address."
        assert len(server.requests) == 1
        assert second.requests == []
    finally:
        second.close()


def test_redirect_to_cloud_metadata_is_refused(server: Server) -> None:
    resolver = fixed({"metadata.test": ["169.254.169.254"]})
    with pytest.raises(IngestError) as caught:
        fetch_url(
            server.base + "/redirect?to=http://metadata.test/latest/meta-data/",
            timeout=5,
            max_bytes=MB,
            resolver=resolver,
            **LOCAL,
        )
    assert caught.value.message == "Refused: the address resolves to a link-local address."


def test_redirect_to_another_scheme_is_refused(server: Server) -> None:
    with pytest.raises(IngestError, match="Only http:// and https://"):
        fetch_url(server.base + "/redirect?to=file:///etc/passwd", timeout=5, max_bytes=MB, **LOCAL)


def test_too_many_redirects(server: Server) -> None:
    with pytest.raises(IngestError) as caught:
        fetch_url(server.base + "/loop", timeout=5, max_bytes=MB, max_redirects=3, **LOCAL)
    assert caught.value.message == "Too many redirects (more than 3)."
    assert len(server.requests) == 4


# --- answers and limits ------------------------------------------------------------------------------


def test_error_status_is_reported(server: Server) -> None:
    with pytest.raises(IngestError) as caught:
        fetch_url(server.base + "/missing", timeout=5, max_bytes=MB, **LOCAL)
    assert caught.value.message == "The site answered 404 Not Found."


@pytest.mark.parametrize("path", ["/big", "/stream-big", "/gzip?size=20000000"])
def test_body_over_the_limit(server: Server, path: str) -> None:
    with pytest.raises(IngestError) as caught:
        fetch_url(server.base + path, timeout=10, max_bytes=MB, **LOCAL)
    assert caught.value.message == "The page is larger than the 1 MB limit."


def test_server_that_never_answers_times_out() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)  # connections complete in the kernel; nobody ever reads or writes
    port = listener.getsockname()[1]
    try:
        started = time.monotonic()
        with pytest.raises(IngestError) as caught:
            fetch_url(f"http://127.0.0.1:{port}/", timeout=0.5, max_bytes=MB, **LOCAL)
        assert caught.value.message == "The site did not answer within 0.5 seconds."
        assert time.monotonic() - started < 3
    finally:
        listener.close()


def test_trickling_server_is_cut_off_at_the_total_deadline(server: Server) -> None:
    started = time.monotonic()
    with pytest.raises(IngestError, match="did not answer within 1 seconds"):
        fetch_url(server.base + "/slow", timeout=1, max_bytes=MB, **LOCAL)
    assert time.monotonic() - started < 3


def test_slow_dns_counts_against_the_deadline() -> None:
    def hanging(host: str, port: int) -> list[str]:
        time.sleep(3)
        return ["93.184.216.34"]

    started = time.monotonic()
    with pytest.raises(IngestError, match="did not answer within 0.3 seconds"):
        fetch_url("http://slow-dns.test/", timeout=0.3, max_bytes=MB, resolver=hanging)
    assert time.monotonic() - started < 2


# --- TLS ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for the invented host name news.test."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "2",
            "-subj",
            "/CN=news.test",
            "-addext",
            "subjectAltName=DNS:news.test",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture
def tls_server(certificate: tuple[Path, Path]) -> Iterator[Server]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    s = Server(tls=context)
    yield s
    s.close()


def test_https_is_pinned_and_still_verifies_the_host_name(tls_server: Server, certificate: tuple[Path, Path]) -> None:
    trust = ssl.create_default_context(cafile=str(certificate[0]))
    result = fetch_url(
        f"https://news.test:{tls_server.port}/ok",
        timeout=5,
        max_bytes=MB,
        resolver=fixed({"news.test": ["127.0.0.1"]}),
        ssl_context=trust,
        **LOCAL,
    )
    assert result.status == 200
    assert tls_server.requests == [("/ok", f"news.test:{tls_server.port}")]


def test_https_certificate_for_another_name_is_refused(tls_server: Server, certificate: tuple[Path, Path]) -> None:
    trust = ssl.create_default_context(cafile=str(certificate[0]))
    with pytest.raises(IngestError) as caught:
        fetch_url(
            f"https://other.test:{tls_server.port}/ok",
            timeout=5,
            max_bytes=MB,
            resolver=fixed({"other.test": ["127.0.0.1"]}),
            ssl_context=trust,
            **LOCAL,
        )
    assert caught.value.message == "The site's secure connection could not be verified."
    assert tls_server.requests == []


def test_https_untrusted_certificate_is_refused(tls_server: Server) -> None:
    with pytest.raises(IngestError, match="secure connection could not be verified"):
        fetch_url(
            f"https://news.test:{tls_server.port}/ok",
            timeout=5,
            max_bytes=MB,
            resolver=fixed({"news.test": ["127.0.0.1"]}),
            **LOCAL,
        )
