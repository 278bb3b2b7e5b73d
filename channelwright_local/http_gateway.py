"""What API Gateway's HTTP API does in front of a Lambda: HTTP request -> payload 2.0 event ->
handler -> HTTP response. The routes are the template's (`POST /interactions`).

Payload format 2.0, as documented in
https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
- header names lower-cased, repeated headers joined with commas, cookies moved to `cookies`;
- the body as text when it is UTF-8, else base64 with `isBase64Encoded` (the signature covers the
  exact bytes, so this must round-trip);
- a result with `statusCode` is the response; any other result is a 200 JSON body;
- a handler that raises, or overruns its function's timeout (the invoker stops waiting, see
  function_timeout.py), gives 500 {"message": "Internal Server Error"}.

Paths under /local/, /playground/ and the page at / are not API Gateway's: they go to the local
API (local_api.py) and the playground (playground/). Those stay on this machine: they answer only
a Host of 127.0.0.1 or localhost on this port (so a web page that rebinds its own DNS name to
127.0.0.1 is refused), refuse requests a browser marks as coming from another site (Origin,
Sec-Fetch-Site), take a body only as JSON (which no page may send another site without a
preflight), and never send CORS headers, so no other page may read or change them.
POST /interactions is not held to that: Discord reaches it through a tunnel, and its signature is
its check.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import sys
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from .function_timeout import FunctionTimedOut

log = logging.getLogger("local.gateway")

# HTTP API's payload limit; larger requests never reach the function.
MAX_BODY_BYTES = 10 * 1024 * 1024
LOCAL_PREFIXES = ("/local/", "/playground/")
_TOKEN_IN_PATH = re.compile(r"(/local/interactions/)[^ /?\"]+")

Invoke = Callable[[dict], dict]  # event -> Lambda result
LocalApi = Callable[[str, str, bytes], tuple[int, str, bytes]]  # method, path+query, body


def api_gateway_event(*, method: str, target: str, headers: list[tuple[str, str]], body: bytes,
                      route_key: str, source_ip: str, domain: str, now: float | None = None) -> dict:
    now = time.time() if now is None else now
    url = urlsplit(target)
    joined: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in headers:
        name = name.lower()
        if name == "cookie":
            cookies.extend(c.strip() for c in value.split(";") if c.strip())
            continue
        joined[name] = f"{joined[name]},{value}" if name in joined else value
    query: dict[str, str] = {}
    for key, value in parse_qsl(url.query, keep_blank_values=True):
        query[key] = f"{query[key]},{value}" if key in query else value
    event = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": url.path,
        "rawQueryString": url.query,
        "headers": joined,
        "requestContext": {
            "accountId": "123456789012", "apiId": "local", "domainName": domain,
            "domainPrefix": domain.split(".")[0], "requestId": str(uuid.uuid4()),
            "routeKey": route_key, "stage": "$default",
            "http": {"method": method, "path": url.path, "protocol": "HTTP/1.1",
                     "sourceIp": source_ip, "userAgent": joined.get("user-agent", "")},
            "time": datetime.fromtimestamp(now, timezone.utc).strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(now * 1000),
        },
        "isBase64Encoded": False,
    }
    if cookies:
        event["cookies"] = cookies
    if query:
        event["queryStringParameters"] = query
    if body:
        try:
            event["body"] = body.decode("utf-8")
        except UnicodeDecodeError:
            event["body"], event["isBase64Encoded"] = base64.b64encode(body).decode(), True
    return event


def http_response(result) -> tuple[int, list[tuple[str, str]], bytes]:
    """A Lambda result as HTTP API turns it into a response (format 2.0)."""
    if isinstance(result, dict) and "statusCode" in result:
        body = result.get("body") or ""
        data = base64.b64decode(body) if result.get("isBase64Encoded") else str(body).encode()
        headers = [(str(k), str(v)) for k, v in (result.get("headers") or {}).items()]
        headers += [("set-cookie", c) for c in result.get("cookies") or []]
        return int(result["statusCode"]), headers, data
    return 200, [("content-type", "application/json")], json.dumps(result).encode()


def error(status: int, message: str) -> tuple[int, list[tuple[str, str]], bytes]:
    return status, [("content-type", "application/json")], json.dumps({"message": message}).encode()


def _is_json(headers: list[tuple[str, str]]) -> bool:
    """Whether the request says its body is JSON. A web page may send text/plain, form or
    multipart bodies anywhere without asking first (a CORS "simple request"); to send JSON it
    must ask with a preflight, which these pages never grant
    (https://fetch.spec.whatwg.org/#cors-safelisted-request-header). So a page in a browser that
    adds no Origin header still cannot change anything here."""
    value = next((v for k, v in headers if k.lower() == "content-type"), "")
    return value.split(";")[0].strip().lower() == "application/json"


def _own_origins(hosts: frozenset[str]) -> set[str]:
    return {f"http://{host}" for host in hosts}


def match_route(routes: dict[str, Invoke], method: str, path: str) -> tuple[str, Invoke] | None:
    for key in (f"{method} {path}", f"ANY {path}", "$default"):
        if key in routes:
            return key, routes[key]
    return None


class Gateway:
    """Routes a request to its function (by route key) or to the local API."""

    def __init__(self, routes: dict[str, Invoke], local_api: LocalApi | None = None, *,
                 slow_warning_s: float = 3.0, local_hosts: frozenset[str] = frozenset()):
        self._routes, self._local = routes, local_api
        self._local_hosts = local_hosts  # "127.0.0.1:8787", "localhost:8787"
        # Discord gives up on an interaction after 3 s; say so when a request takes longer.
        self._slow = slow_warning_s

    def handle(self, method: str, target: str, headers: list[tuple[str, str]], body: bytes,
               source_ip: str, domain: str) -> tuple[int, list[tuple[str, str]], bytes]:
        path = urlsplit(target).path
        if self._local is not None and (path == "/" or path.startswith(LOCAL_PREFIXES)):
            refused = self._foreign(headers)
            if refused:
                log.warning("refused %s %s: %s", method, path, refused)
                return error(403, refused)
            if method in ("POST", "PUT", "PATCH", "DELETE") and not _is_json(headers):
                return error(415, "send the body as Content-Type: application/json")
            status, content_type, data = self._local(method, target, body)
            return status, [("content-type", content_type), ("cache-control", "no-store")], data
        found = match_route(self._routes, method, path)
        if found is None:
            return error(404, "Not Found")
        if len(body) > MAX_BODY_BYTES:
            return error(413, "Request Entity Too Large")
        route_key, invoke = found
        event = api_gateway_event(method=method, target=target, headers=headers, body=body,
                                  route_key=route_key, source_ip=source_ip, domain=domain)
        started = time.monotonic()
        try:
            result = invoke(event)
        except FunctionTimedOut as timed_out:  # Lambda stopped it: API Gateway answers 500
            log.warning("%s: %s; answering 500", route_key, timed_out)
            return error(500, "Internal Server Error")
        except Exception:
            log.exception("%s: the function failed", route_key)
            return error(500, "Internal Server Error")
        finally:
            elapsed = time.monotonic() - started
            if elapsed > self._slow:
                log.warning("%s took %.2f s: Discord would have shown \"The application did not "
                            "respond\"", route_key, elapsed)
        status, response_headers, data = http_response(result)
        log.info("%s -> %d (%.0f ms)", route_key, status, elapsed * 1000)
        return status, response_headers, data


    def _foreign(self, headers: list[tuple[str, str]]) -> str | None:
        """Why a request for a local page must be refused, or None.

        Host: a page on evil.example whose name now resolves to 127.0.0.1 still sends
        "Host: evil.example" (DNS rebinding). Origin and Sec-Fetch-Site: what a browser adds to
        a request another site's page makes (https://fetch.spec.whatwg.org/#origin-header,
        https://www.w3.org/TR/fetch-metadata/); curl and scripts send neither."""
        seen = {name.lower(): value for name, value in headers}
        host = seen.get("host", "").lower()
        if host not in self._local_hosts:
            return f"local pages answer only at {' or '.join(sorted(self._local_hosts))}"
        origin = seen.get("origin")
        if origin is not None and origin.lower() not in _own_origins(self._local_hosts):
            return "cross-origin requests are refused"
        if seen.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
            return "cross-site requests are refused"
        return None


class _Handler(BaseHTTPRequestHandler):
    server: "GatewayServer"
    protocol_version = "HTTP/1.1"

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        host = self.headers.get("Host") or f"127.0.0.1:{self.server.server_address[1]}"
        status, headers, data = self.server.gateway.handle(
            self.command, self.path, list(self.headers.items()), body,
            source_ip=self.client_address[0], domain=host)
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve

    def log_message(self, format, *args):  # the gateway logs each invocation itself
        # Interaction tokens are credentials for 15 minutes; keep them out of logs even locally.
        line = _TOKEN_IN_PATH.sub(r"\1{token}", format % args)
        log.debug("%s %s", self.client_address[0], line)


class GatewayServer(ThreadingHTTPServer):
    """One thread per request, as concurrent requests reach separate Lambda containers."""

    daemon_threads = True

    def __init__(self, gateway: Gateway, port: int = 0, host: str = "127.0.0.1"):
        self.gateway = gateway
        super().__init__((host, port), _Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def local_hosts(self) -> frozenset[str]:
        """The Host values a browser on this machine sends for this server."""
        port = self.server_address[1]
        return frozenset({f"127.0.0.1:{port}", f"localhost:{port}"})

    def handle_error(self, request, client_address) -> None:
        # A client that hung up mid-answer (a closed tab, a stopped test) is not an error.
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)
