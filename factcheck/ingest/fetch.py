"""Fetching a page by URL without letting users reach the newsroom's internal network.

Every hop (the first request and each redirect) is vetted the same way: only
http/https, the host name is resolved once, every address it resolves to must be
public, and the connection then goes to that vetted address (pinned), so a DNS
answer that changes between the check and the connection (DNS rebinding) cannot
redirect the request. The Host header, TLS SNI and certificate check still use
the host name. A wall-clock deadline covers resolving, connecting and reading.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import HTTPError as Urllib3HTTPError
from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url
from urllib3.util.ssl_match_hostname import CertificateError

from .errors import IngestError, format_size

__all__ = ["DEFAULT_USER_AGENT", "FetchedResource", "Resolver", "fetch_url"]

DEFAULT_USER_AGENT = "Factdesk/1.0 (newsroom fact-check workspace)"
Resolver = Callable[[str, int], Sequence[str]]
"""Maps (host name, port) to IP address strings; the default uses the system resolver."""

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CHUNK = 64 * 1024
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


@dataclass(frozen=True, slots=True, kw_only=True)
class FetchedResource:
    """A fetched response body. ``final_url`` is the address after redirects."""

    url: str
    final_url: str
    status: int
    content_type: str
    data: bytes


def fetch_url(
    url: str,
    *,
    timeout: float,
    max_bytes: int,
    max_redirects: int = 5,
    allow_private: bool = False,
    allowed_addresses: Collection[str] = (),
    resolver: Resolver | None = None,
    ssl_context: ssl.SSLContext | None = None,
    user_agent: str = DEFAULT_USER_AGENT,
) -> FetchedResource:
    """GET ``url`` and return its body, refusing anything that could reach a private network.

    ``timeout`` (seconds) bounds the whole fetch, redirects included;
    ``max_bytes`` bounds the body (checked against Content-Length and while
    streaming). Redirects are followed by hand, at most ``max_redirects``, each
    hop vetted like the first. A non-2xx answer raises :class:`IngestError`
    naming the status.

    ``allow_private`` and ``allowed_addresses`` (exact IPs exempt from the check)
    exist for tests that run a server on 127.0.0.1; they must never be set from
    user input. ``resolver`` replaces DNS (tests use it to simulate hosts that
    resolve to private or changing addresses). ``ssl_context`` replaces the
    default TLS settings (the system's trusted CAs, host names checked), e.g. to
    trust a private CA.
    """
    deadline = time.monotonic() + timeout
    exempt = {_parse_ip(a) for a in allowed_addresses}
    resolve = resolver or _system_resolver
    current = url
    for _hop in range(max_redirects + 1):
        target = _Target.parse(current)
        addresses = _resolve(target, resolve, deadline, timeout)
        if not allow_private:
            for address in addresses:
                if address not in exempt:
                    reason = _refusal(address)
                    if reason:
                        # The address itself is not named: it would tell an outsider what the internal names
                        # resolve to.
                        raise IngestError(f"Refused: the address resolves to {reason}.")
        status, reason_phrase, headers, location, body = _request(
            target,
            addresses,
            deadline=deadline,
            timeout=timeout,
            max_bytes=max_bytes,
            user_agent=user_agent,
            ssl_context=ssl_context,
        )
        if status in _REDIRECTS and location:
            current = urljoin(target.url, location)
            continue
        if not 200 <= status < 300:
            raise IngestError(f"The site answered {status} {reason_phrase}".rstrip() + ".")
        return FetchedResource(
            url=url,
            final_url=target.url,
            status=status,
            content_type=headers.get("content-type", ""),
            data=body,
        )
    raise IngestError(f"Too many redirects (more than {max_redirects}).")


# --- URL and address checks -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Target:
    url: str
    scheme: str
    host: str  # ASCII host name or IP literal, without brackets
    port: int
    request_uri: str

    @classmethod
    def parse(cls, url: str) -> _Target:
        if not isinstance(url, str) or not url.strip():
            raise IngestError("Enter a web address starting with http:// or https://.")
        url = url.strip()
        try:
            parsed = parse_url(url)
        except (LocationParseError, ValueError) as exc:
            raise IngestError("This web address is not valid.") from exc
        scheme = (parsed.scheme or "").lower()
        if scheme not in ("http", "https"):
            raise IngestError("Only http:// and https:// addresses can be fetched.")
        if parsed.auth:
            raise IngestError("Addresses containing a user name or password are not accepted.")
        host = (parsed.host or "").strip("[]").rstrip(".")
        if not host:
            raise IngestError("This web address has no host name.")
        try:
            host.encode("ascii")
        except UnicodeEncodeError:
            try:
                host = host.encode("idna").decode("ascii")
            except UnicodeError as exc:
                raise IngestError("This web address's host name is not valid.") from exc
        port = parsed.port or (443 if scheme == "https" else 80)
        return cls(url=parsed.url, scheme=scheme, host=host, port=port, request_uri=parsed.request_uri or "/")


def _parse_ip(value: str) -> IPAddress:
    return ipaddress.ip_address(value.split("%", 1)[0])


def _refusal(address: IPAddress) -> str | None:
    """Why an address must not be contacted, or ``None`` when it is public."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded: ipaddress.IPv4Address | None = address.ipv4_mapped or address.sixtofour
        if embedded is None and address.teredo:
            embedded = address.teredo[1]
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return _refusal(embedded)
    if address.is_unspecified:
        return "an unspecified address"
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_multicast:
        return "a multicast address"
    if address.is_private or (isinstance(address, ipaddress.IPv6Address) and address.is_site_local):
        return "a private network"
    if address.is_reserved:
        return "a reserved address"
    if not address.is_global:
        return "a non-public network"
    return None


def _system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    return [str(info[4][0]) for info in infos]


def _resolve(target: _Target, resolve: Resolver, deadline: float, timeout: float) -> list[IPAddress]:
    """Resolve in a helper thread so that a hanging DNS server cannot outlast the deadline."""
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            outcome["addresses"] = list(resolve(target.host, target.port))
        except (OSError, UnicodeError, ValueError) as exc:  # reported below, in the caller's thread
            outcome["error"] = exc

    worker = threading.Thread(target=work, name="factdesk-resolve", daemon=True)
    worker.start()
    worker.join(max(0.0, deadline - time.monotonic()))
    if worker.is_alive():
        raise IngestError(f"The site did not answer within {timeout:g} seconds.")
    if "error" in outcome or not outcome.get("addresses"):
        raise IngestError(f"The host name '{target.host}' could not be found.")
    addresses: list[IPAddress] = []
    for value in outcome["addresses"]:
        try:
            address = _parse_ip(value)
        except ValueError as exc:
            raise IngestError(f"The host name '{target.host}' could not be found.") from exc
        if address not in addresses:
            addresses.append(address)
    return addresses


# --- the request ------------------------------------------------------------------------


class _PinnedMixin:
    """Connect the socket to a vetted IP while ``host`` stays the name (Host header, SNI, certificate)."""

    pinned_ip: str
    port: int
    timeout: Any
    source_address: Any
    socket_options: Any
    on_socket: Callable[[socket.socket], None]

    def _new_conn(self) -> socket.socket:
        sock = urllib3.util.connection.create_connection(
            (self.pinned_ip, self.port),
            self.timeout,
            source_address=self.source_address,
            socket_options=self.socket_options,
        )
        self.on_socket(sock)
        return sock


class _PinnedHTTPConnection(_PinnedMixin, HTTPConnection):
    pass


class _PinnedHTTPSConnection(_PinnedMixin, HTTPSConnection):
    pass


class _Watchdog:
    """Shuts the socket down at the deadline, so no slow server can hold a fetch past it."""

    def __init__(self, deadline: float) -> None:
        self.fired = False
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(0.0, deadline - time.monotonic()), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sock = sock
            fired = self.fired
        if fired:
            self._shutdown(sock)

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            sock = self._sock
        if sock is not None:
            self._shutdown(sock)

    @staticmethod
    def _shutdown(sock: socket.socket) -> None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def cancel(self) -> None:
        self._timer.cancel()


def _request(
    target: _Target,
    addresses: list[IPAddress],
    *,
    deadline: float,
    timeout: float,
    max_bytes: int,
    user_agent: str,
    ssl_context: ssl.SSLContext | None,
) -> tuple[int, str, dict[str, str], str | None, bytes]:
    timed_out = IngestError(f"The site did not answer within {timeout:g} seconds.")
    too_large = IngestError(f"The page is larger than the {format_size(max_bytes)} limit.")
    watchdog = _Watchdog(deadline)
    conn: HTTPConnection | None = None
    response: Any = None
    try:
        conn = _connect(target, addresses, deadline, watchdog, ssl_context)
        conn.timeout = _remaining(deadline, timed_out)
        conn.request(
            "GET",
            target.request_uri,
            headers={
                "User-Agent": user_agent,
                "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
                # Compressed bodies could be bombs; ask for none (and bound any we get).
                "Accept-Encoding": "identity",
                "Connection": "close",
            },
            preload_content=False,
            decode_content=False,
        )
        response = conn.getresponse()
        headers = {k.lower(): v for k, v in response.headers.items()}
        status = response.status
        location = headers.get("location") if status in _REDIRECTS else None
        if location is not None or not 200 <= status < 300:
            return status, response.reason or "", headers, location, b""

        declared = headers.get("content-length", "").strip()
        if declared.isdigit() and int(declared) > max_bytes:
            raise too_large
        decoder = _decoder(headers.get("content-encoding", ""))
        body = bytearray()
        while True:
            chunk = response.read(_CHUNK)
            if watchdog.fired or time.monotonic() > deadline:
                raise timed_out
            if not chunk:
                break
            if decoder is not None:
                chunk = decoder.decompress(chunk, max_bytes + 1 - len(body))
            body += chunk
            if len(body) > max_bytes:
                raise too_large
        if decoder is not None:
            body += decoder.flush()
            if len(body) > max_bytes:
                raise too_large
        return status, response.reason or "", headers, None, bytes(body)
    except IngestError:
        raise
    except (TimeoutError, urllib3.exceptions.TimeoutError) as exc:
        raise timed_out from exc
    except (ssl.SSLError, CertificateError) as exc:
        raise IngestError("The site's secure connection could not be verified.") from exc
    except (OSError, Urllib3HTTPError, zlib.error) as exc:
        if watchdog.fired:
            raise timed_out from exc
        if isinstance(exc.__context__, (ssl.SSLError, CertificateError)):
            raise IngestError("The site's secure connection could not be verified.") from exc
        raise IngestError("Could not get the page: the connection failed or the answer was broken.") from exc
    finally:
        watchdog.cancel()
        if response is not None:
            response.close()
        if conn is not None:
            conn.close()


def _remaining(deadline: float, timed_out: IngestError) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise timed_out
    return left


def _connect(
    target: _Target,
    addresses: list[IPAddress],
    deadline: float,
    watchdog: _Watchdog,
    ssl_context: ssl.SSLContext | None,
) -> HTTPConnection:
    last_error: Exception | None = None
    for address in addresses:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        conn: _PinnedHTTPConnection | _PinnedHTTPSConnection
        if target.scheme == "https":
            conn = _PinnedHTTPSConnection(target.host, target.port, timeout=left, ssl_context=ssl_context)
        else:
            conn = _PinnedHTTPConnection(target.host, target.port, timeout=left)
        conn.pinned_ip = str(address)
        conn.on_socket = watchdog.watch
        try:
            conn.connect()
            return conn
        except (TimeoutError, urllib3.exceptions.ConnectTimeoutError):
            conn.close()
            raise
        except (OSError, Urllib3HTTPError) as exc:
            conn.close()
            if isinstance(exc, ssl.SSLError) or isinstance(exc.__cause__, (ssl.SSLError, CertificateError)):
                raise
            last_error = exc
    if last_error is None:
        raise TimeoutError()
    raise IngestError("Could not connect to the site.") from last_error


def _decoder(content_encoding: str) -> Any:
    encoding = content_encoding.strip().lower()
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip", "deflate"):
        # wbits=47: accept gzip or zlib headers.
        return zlib.decompressobj(47)
    raise IngestError(f"The site sent the page in an unsupported encoding ({encoding}).")
