"""Downloading an uploaded file from Discord's CDN, and nowhere else.

An attachment URL comes inside the interaction payload; the worker fetches it later. Only the
origins in DownloadPolicy are ever contacted: by default Discord's CDN hosts over HTTPS
(developers/reference.mdx, "Image Formatting": `https://cdn.discordapp.com`, and
`media.discordapp.net` for attachments' proxy_url). A redirect is followed only to another
allowed origin. The whole download has one deadline, enforced by closing the socket when it
passes (a per-read timeout alone lets a server that drips a byte at a time run on indefinitely),
and the size cap is enforced on the bytes as they arrive, whatever Content-Length claims.

Tests and local mode run the emulator's CDN on http://127.0.0.1; they widen the policy explicitly
(`TEMPLATE_DOWNLOAD_ORIGINS`), never by default.
"""

from __future__ import annotations

import http.client
import os
import socket
import ssl
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass

DISCORD_CDN_ORIGINS = ("https://cdn.discordapp.com", "https://media.discordapp.net")
ORIGINS_VARIABLE = "TEMPLATE_DOWNLOAD_ORIGINS"
CHUNK = 16 * 1024


class DownloadRefused(Exception):
    """The URL (or a redirect) leads somewhere other than an allowed origin: never fetched."""


class DownloadGone(Exception):
    """The CDN answered 4xx: the link expired or the file was deleted; only a new upload helps."""

    def __init__(self, status: int):
        super().__init__(f"HTTP {status}")
        self.status = status


class DownloadTooLarge(Exception):
    def __init__(self, limit: int):
        super().__init__(f"larger than {limit} bytes")
        self.limit = limit


class DownloadFailed(Exception):
    """Timeouts, connection failures, 5xx/408/429: worth trying again later."""

    def __init__(self, message: str, status: int = 0):
        super().__init__(message)
        self.status = status


def _origin(url: str) -> str | None:
    """"scheme://host[:port]" in lower case, the default port left out; None if not a URL."""
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.username or parts.password:
        return None
    default = {"https": 443, "http": 80}[parts.scheme]
    suffix = f":{port}" if port and port != default else ""
    return f"{parts.scheme}://{parts.hostname.lower()}{suffix}"


@dataclass(frozen=True)
class DownloadPolicy:
    """Where downloads may come from, and how long and large they may be."""

    origins: tuple[str, ...] = DISCORD_CDN_ORIGINS
    max_bytes: int = 64 * 1024
    deadline_s: float = 20.0  # the whole download, redirects included
    connect_timeout_s: float = 3.05
    max_redirects: int = 3

    @classmethod
    def from_environment(cls, environ=os.environ, **kwargs) -> "DownloadPolicy":
        """Discord's CDN unless `TEMPLATE_DOWNLOAD_ORIGINS` (comma-separated origins such as
        "http://127.0.0.1:8123") names others."""
        listed = [o.strip() for o in (environ.get(ORIGINS_VARIABLE) or "").split(",") if o.strip()]
        origins = tuple(filter(None, map(_origin, listed)))
        return cls(origins=origins or DISCORD_CDN_ORIGINS, **kwargs)

    def allows(self, url: str) -> bool:
        origin = _origin(url)
        return origin is not None and origin in {_origin(o) for o in self.origins}


def download(url: str, policy: DownloadPolicy, *, user_agent: str = "",
             clock: Callable[[], float] = time.monotonic) -> bytes:
    """The file at `url`, at most `policy.max_bytes`, within `policy.deadline_s`.

    Raises DownloadRefused, DownloadGone, DownloadTooLarge or DownloadFailed."""
    deadline = clock() + policy.deadline_s
    for _ in range(policy.max_redirects + 1):
        if not isinstance(url, str) or not policy.allows(url):
            raise DownloadRefused("not one of the allowed download origins")
        status, location, body = _fetch(url, policy, deadline, user_agent, clock)
        if location is None:
            return _judge(status, body)
        try:
            url = urllib.parse.urljoin(url, location)
        except ValueError:  # e.g. "https://[::1": no origin we could check, so nowhere we go
            raise DownloadRefused("a redirect to an unreadable location") from None
    raise DownloadFailed("too many redirects")


def _judge(status: int, body: bytes) -> bytes:
    if status >= 500 or status in (408, 429):
        raise DownloadFailed(f"the CDN answered HTTP {status}", status)
    if not 200 <= status < 300:
        raise DownloadGone(status)
    return body


class _Watchdog:
    """Shuts the connection's socket when the deadline passes, waking a read blocked in it."""

    def __init__(self, connection: http.client.HTTPConnection, seconds: float):
        self.fired = False
        self._connection = connection
        self._timer = threading.Timer(max(0.0, seconds), self._fire)
        self._timer.daemon = True

    def _fire(self) -> None:
        self.fired = True
        sock = self._connection.sock
        if sock is not None:
            try:
                # socket.socket's shutdown, not SSLSocket's: that one also drops its TLS state,
                # which the reading thread is using.
                socket.socket.shutdown(sock, socket.SHUT_RDWR)
            except OSError:
                pass

    def __enter__(self) -> "_Watchdog":
        self._timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self._timer.cancel()


def _connection(url: str, policy: DownloadPolicy, remaining: float) -> http.client.HTTPConnection:
    """A connection to `url`'s host, which policy.allows() has checked (so it has one)."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""  # never empty: _origin refuses a URL without a host
    timeout = max(0.01, min(policy.connect_timeout_s, remaining))
    if parts.scheme == "https":
        return http.client.HTTPSConnection(host, parts.port, timeout=timeout, context=_tls_context())
    return http.client.HTTPConnection(host, parts.port, timeout=timeout)


def _tls_context() -> ssl.SSLContext:
    try:
        import certifi  # requests' CA bundle, in the asset already

        return ssl.create_default_context(cafile=certifi.where())
    except ImportError:
        return ssl.create_default_context()


def _fetch(url: str, policy: DownloadPolicy, deadline: float, user_agent: str,
           clock: Callable[[], float]) -> tuple[int, str | None, bytes]:
    """(status, redirect location or None, body) of one GET."""
    remaining = deadline - clock()
    if remaining <= 0:
        raise DownloadFailed("the download took too long")
    parts = urllib.parse.urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connection = _connection(url, policy, remaining)
    try:
        with _Watchdog(connection, remaining) as watchdog:
            try:
                connection.request("GET", target, headers={
                    "User-Agent": user_agent, "Accept-Encoding": "identity"})
                response = connection.getresponse()
                if 300 <= response.status < 400 and response.getheader("Location"):
                    return response.status, response.getheader("Location"), b""
                if response.status >= 300:
                    return response.status, None, b""
                return response.status, None, _read(response, policy.max_bytes, watchdog)
            except (OSError, http.client.HTTPException, ValueError) as error:
                if watchdog.fired:
                    raise DownloadFailed("the download took too long") from None
                raise DownloadFailed(f"download failed ({type(error).__name__})") from None
    finally:
        connection.close()


def _read(response: http.client.HTTPResponse, limit: int, watchdog: _Watchdog) -> bytes:
    declared = response.getheader("Content-Length") or ""
    if declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise DownloadTooLarge(limit)
    body = bytearray()
    while True:
        chunk = response.read1(CHUNK)
        if watchdog.fired:
            raise DownloadFailed("the download took too long")
        if not chunk:
            if declared.isascii() and declared.isdigit() and len(body) != int(declared):
                raise DownloadFailed("the download was cut short")
            return bytes(body)
        body += chunk
        if len(body) > limit:
            raise DownloadTooLarge(limit)
