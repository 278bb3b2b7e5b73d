"""The HTTP front: one pipeline every request goes through, on a real socket.

Order of checks, chosen to match what a client of the live API sees:
  record -> latency -> injected edge faults (non-JSON 429, 403 40333) ->
  User-Agent (403 40333) -> route (404/405) -> Authorization (401, not for
  webhook routes) -> injected 5xx / 429 -> rate limits (429) ->
  injected 403 -> body (Content-Type 50035, JSON 50109; a multipart body with files on the
  routes that take them, see `uploads`) -> form validation (50035, see `validation`) ->
  action -> reply
  (or a dropped connection for `lose_reply`).
Responses from the rate-limit step on carry the bucket headers; earlier ones
do not, as with errors raised at Discord's edge. Attachment downloads
(`/attachments/...`, the CDN) skip all of it but latency and `fail_next` /
`lose_reply` faults: no User-Agent, Authorization or rate-limit checks.
"""

import json
import socket
import sys
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

from . import errors, uploads, validation
from .errors import ApiError
from .faults import edge_response
from .recording import RecordedRequest
from .routes import resolve

API_PREFIX = "/api/v10"
CDN_PREFIXES = ("/attachments/", "/media/attachments/")
CDN_ROUTE = "GET /attachments/{channel_id}/{attachment_id}/{filename}"


class Api:
    """What route handlers act on (see routes._TABLE)."""

    def __init__(self, state, actions, messages, interactions, commands=None, threads=None, dms=None):
        self.state = state
        self.threads = threads
        self.dms = dms
        self.actions = actions
        self.messages = messages
        self.interactions = interactions
        self.commands = commands

    def member_json(self, params: dict) -> dict:
        guild = self.state.guild(params["guild_id"])
        member = self.state.member(guild, params["user_id"])
        return member.to_json(self.state.users[member.user_id])


class _Reply:
    def __init__(self, status: int, body=None, headers=None, lost: bool = False, edge: bool = False):
        self.status, self.body, self.headers, self.lost = status, body, headers or {}, lost
        self.edge = edge  # answered by Discord's edge (Cloudflare), not by the API itself

    @classmethod
    def error(cls, exc: ApiError, headers=None) -> "_Reply":
        return cls(exc.status, exc.body(), headers)


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def parse_json(raw: bytes):
    """The body as JSON, or None when empty or not JSON. RFC 8259 section 6 has no NaN or
    Infinity, and section 8.1 says JSON between systems "MUST be encoded using UTF-8" without a
    byte order mark; Python's json module would take NaN, UTF-16 and a BOM. Discord answers
    such a body like any other broken JSON (50109); for the BOM, which a parser "MAY ignore",
    the stricter reading is taken."""
    if not raw:
        return None
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
    except (ValueError, RecursionError):  # bad UTF-8 or syntax; nesting deeper than the parser goes
        return None


def _multipart(headers: dict, raw: bytes) -> "uploads.Form | None":
    """A multipart/form-data body read (uploads.Form), or None for any other body."""
    content_type = headers.get("content-type", "")
    if not raw or content_type.split(";")[0].strip().lower() != "multipart/form-data":
        return None
    return uploads.read_form(content_type, raw)


def _body_refused(route, headers: dict, raw: bytes, body, form) -> ApiError | None:
    """Why the body cannot be read, if it cannot: a Content-Type other than JSON (or multipart
    on a route that takes files), a broken multipart body (uploads.Form.error), JSON that does
    not parse, or JSON that is not an object (an array only where the route takes one)."""
    if not raw:
        return None
    content_type = headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data" and route.takes_files:
        if form.error is not None:
            return form.error
    elif content_type != "application/json":
        return errors.form_error(
            "", "CONTENT_TYPE_INVALID",
            'Expected "Content-Type" header to be one of {\'application/json\', '
            '\'application/x-www-form-urlencoded\', \'multipart/form-data\'}.')
    if body is None and form is None:
        return ApiError(400, 50109, "The request body contains invalid JSON.")
    if not isinstance(body, dict) and not (route.array_body and isinstance(body, list)):
        return errors.form_error("", "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
    return None


def _rate_limited(retry_after: float, is_global: bool, headers: dict) -> _Reply:
    # DOCS/rl "Rate Limit Response Structure" lists `code?` "for some limits"; the OpenAPI
    # description's RatelimitedResponse (allOf Error) requires `code`. Carry it, as 0, the
    # general error code (topics/opcodes-and-status-codes.mdx "JSON Error Codes"): the
    # stricter reading, and a client must cope with it either way.
    body = {"message": "You are being rate limited.", "retry_after": round(retry_after, 3),
            "global": is_global, "code": 0}
    return _Reply(429, body, headers)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a requests.Session expects
    timeout = 120
    # One buffered write per reply plus TCP_NODELAY: headers and body sent apart meet
    # delayed ACKs and cost ~40 ms a request on loopback.
    wbufsize = 64 * 1024
    disable_nagle_algorithm = True

    def log_message(self, format, *args):
        pass

    def do_GET(self):
        self._handle()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_GET

    def _read_body(self) -> bytes | None:
        """The request body; None when its framing is broken (a Content-Length that is not a
        non-negative number, a chunk size that is not hex), which Discord's edge answers with
        400 before the API sees anything (RFC 9112 6.3: such a message is unreadable)."""
        try:
            if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
                chunks = []
                while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                    chunks.append(self.rfile.read(size))
                    self.rfile.readline()
                while self.rfile.readline().strip():
                    pass
                return b"".join(chunks)
            length = (self.headers.get("Content-Length") or "0").strip()
            if not (length.isascii() and length.isdigit()):
                return None
            return self.rfile.read(int(length))
        except ValueError:
            return None

    def _handle(self):
        emu = self.server.emulator
        started = time.monotonic()
        raw = self._read_body()
        if raw is None:
            self.close_connection = True  # the rest of the stream cannot be framed either
            return self._write(_Reply(400, b"Bad Request", {"Content-Type": "text/plain", "Connection": "close"}))
        full_path, _, query = self.path.partition("?")
        if full_path.startswith(CDN_PREFIXES):
            return self._handle_cdn(emu, started, full_path, query)
        path = full_path[len(API_PREFIX):] if full_path.startswith(API_PREFIX + "/") else full_path
        route, params, allowed = resolve(self.command, path) if path != full_path else (None, {}, set())
        headers = {k.lower(): v for k, v in self.headers.items()}
        form = _multipart(headers, raw)
        body = parse_json(raw) if form is None else form.payload
        files = tuple({"name": f"files[{u.index}]", "filename": u.filename, "content_type": u.content_type,
                       "size": len(u.content)} for u in (form.uploads if form else ()))
        record = emu._recorder.start(RecordedRequest(
            self.command, path, route.key if route else None, headers, body, started, query=query,
            files=files))
        if emu.latency:
            time.sleep(emu.latency)
        try:
            reply = self._process(emu, path, route, params, allowed, headers, raw, body, query, form)
        except Exception:  # an emulator bug must not look like a Discord outage silently
            emu.internal_errors.append(traceback.format_exc())
            reply = _Reply.error(errors.http_error(500))
        if reply.lost:
            emu._recorder.finish(record, reply_lost=True, finished=time.monotonic())
            self.close_connection = True
            return
        response = None if isinstance(reply.body, (bytes, bytearray)) else reply.body  # JSON only
        emu._recorder.finish(record, status=reply.status, response=response, from_edge=reply.edge,
                             finished=time.monotonic(),
                             response_headers={k.lower(): v for k, v in reply.headers.items()})
        self._write(reply)

    def _handle_cdn(self, emu, started, path, query):
        """Attachment downloads: no User-Agent or Authorization checks, no rate limits (a CDN)."""
        headers = {k.lower(): v for k, v in self.headers.items()}
        record = emu._recorder.start(RecordedRequest(self.command, path, CDN_ROUTE, headers, None, started,
                                                     query=query))
        if emu.latency:
            time.sleep(emu.latency)
        fault = emu.faults.take(("fail", "lose"), self.command, path)
        if self.command not in ("GET", "HEAD"):
            reply = _Reply(405, b"Method Not Allowed", {"Content-Type": "text/plain", "Allow": "GET, HEAD"})
        elif fault is not None and fault.kind == "lose":
            reply = _Reply(0, lost=True)
        elif fault is not None:
            reply = _Reply(fault.status, b"upstream error", {"Content-Type": "text/plain"})
        else:
            with emu._state.lock:
                status, content, reply_headers = emu._attachments.serve(path, query)
            reply = _Reply(status, content, reply_headers)
        if reply.lost:
            emu._recorder.finish(record, reply_lost=True, finished=time.monotonic())
            self.close_connection = True
            return
        emu._recorder.finish(record, status=reply.status, finished=time.monotonic(),
                             response_headers={k.lower(): v for k, v in reply.headers.items()})
        self._write(reply)

    def _process(self, emu, path, route, params, allowed, headers, raw, body, query, form) -> _Reply:
        edge = emu.faults.take(("edge", "block"), self.command, path)
        if edge is not None:  # Discord's edge answers before the API sees the request
            return _Reply(*edge_response(edge), edge=True)
        if not headers.get("user-agent", "").startswith("DiscordBot ("):
            return _Reply(403, {"message": "Cloudflare is blocking your request. This can often be "
                                           "resolved by setting a proper User Agent", "code": 40333}, edge=True)
        if route is None:
            if allowed:
                return _Reply(405, {"message": "405: Method Not Allowed", "code": 0},
                              {"Allow": ", ".join(sorted(allowed))})
            return _Reply.error(errors.http_error(404))
        if not route.webhook and headers.get("authorization") != f"Bot {emu.bot_token}":
            return _Reply.error(errors.http_error(401))
        fault = emu.faults.take(("fail", "storm"), self.command, path)
        if fault is not None and fault.kind == "fail":
            return _Reply.error(errors.http_error(fault.status))
        if fault is not None:
            return _rate_limited(fault.retry_after, fault.is_global, emu.rate_limiter.storm_headers(
                route.key, route.webhook, fault.retry_after, fault.is_global))
        verdict = emu.rate_limiter.check(route.key, route.major(params), route.webhook)
        if not verdict.allowed:
            return _rate_limited(verdict.retry_after, verdict.is_global, verdict.headers)
        limit_headers = verdict.headers
        if emu.faults.take(("forbid",), self.command, path) is not None:
            return _Reply.error(errors.missing_permissions(), limit_headers)
        refused = _body_refused(route, headers, raw, body, form)
        if refused is not None:
            return _Reply.error(refused, limit_headers)
        lost = emu.faults.take(("lose",), self.command, path) is not None
        body = {} if body is None else body
        query_params = parse_qs(query)
        files = form.uploads if form else ()
        try:
            with emu._state.lock:
                # Discord's form validation (400 50035, every invalid field at once).
                validation.check_request(route.key, params, body, headers, query_params, emu._api)
                if route.takes_files:
                    status, data = route.handler(emu._api, params, body, query_params, files)
                else:
                    status, data = route.handler(emu._api, params, body, query_params)
        except ApiError as exc:
            return _Reply(exc.status, exc.body(), limit_headers, lost)
        return _Reply(status, data, limit_headers, lost)

    def _write(self, reply: _Reply) -> None:
        raw = isinstance(reply.body, (bytes, bytearray))
        if raw:
            payload = bytes(reply.body)
        else:
            payload = b"" if reply.status == 204 else json.dumps(reply.body).encode()
        try:
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if raw:
                self.send_header("Content-Length", str(len(payload)))
            elif reply.status != 204:
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)
        except OSError:
            self.close_connection = True


class EmulatorHTTPServer(ThreadingHTTPServer):
    """Tracks open connections so `close()` can cut keep-alive clients loose."""

    daemon_threads = True
    request_queue_size = 128

    def __init__(self, emulator, port: int = 0):
        self.emulator = emulator
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(("127.0.0.1", port), _Handler)

    def process_request(self, request, client_address):
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request):
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request, client_address):
        # A client hanging up is its business; anything else is an emulator bug to surface.
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            self.emulator.internal_errors.append(traceback.format_exc())

    def close(self) -> None:
        self.shutdown()
        with self._open_lock:
            for conn in list(self._open):
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        self.server_close()
