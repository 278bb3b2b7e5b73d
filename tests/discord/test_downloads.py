"""Template downloads: Discord's CDN only (unless widened explicitly), redirects only within it,
a size cap enforced as bytes arrive, and one deadline for the whole download. The servers here
are local (127.0.0.1), standing in for a CDN that misbehaves."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest

from channelwright.discord.api import DiscordApi
from channelwright.discord.downloads import (DownloadFailed, DownloadGone, DownloadPolicy, DownloadRefused,
                                     DownloadTooLarge, download)
from channelwright.tasks.payloads import TemplateImport
from channelwright.tasks.queue import Task
from channelwright.commands.campaign_template import run_template_import

STRICT = DownloadPolicy()


@pytest.mark.parametrize("url", [
    "https://cdn.discordapp.com/attachments/1/2/west.yaml?ex=1&is=2&hm=3",
    "https://media.discordapp.net/attachments/1/2/west.yaml",
    "https://CDN.DiscordApp.com/attachments/1/2/west.yaml",
    "https://cdn.discordapp.com:443/attachments/1/2/west.yaml",
])
def test_discords_cdn_over_https_is_allowed_by_default(url):
    assert STRICT.allows(url)


@pytest.mark.parametrize("url", [
    "http://cdn.discordapp.com/attachments/1/2/west.yaml",        # not HTTPS
    "https://cdn.discordapp.com.evil.example/west.yaml",           # a look-alike host
    "https://cdn.discordapp.com@evil.example/west.yaml",           # userinfo hiding the host
    "https://evil.example/?https://cdn.discordapp.com/",
    "https://cdn.discordapp.com:8443/west.yaml",                    # another port
    "http://127.0.0.1:8000/west.yaml", "file:///etc/passwd", "ftp://cdn.discordapp.com/x",
    "//cdn.discordapp.com/x", "cdn.discordapp.com/x", "", "https://[::1/", 12, None,
])
def test_anything_else_is_refused_without_a_request(url):
    assert not STRICT.allows(url) if isinstance(url, str) else True
    with pytest.raises(DownloadRefused):
        download(url, STRICT)


@pytest.mark.parametrize("setting, allows", [
    ("", ["https://cdn.discordapp.com/x"]),
    ("http://127.0.0.1:8123", ["http://127.0.0.1:8123/a"]),
    (" http://127.0.0.1:8123 , https://cdn.discordapp.com ", ["http://127.0.0.1:8123/a", "https://cdn.discordapp.com/x"]),
    ("not a url, ftp://x", ["https://cdn.discordapp.com/x"]),  # nothing usable: the strict default
])
def test_the_setting_widens_the_origins_explicitly(setting, allows):
    policy = DownloadPolicy.from_environment({"TEMPLATE_DOWNLOAD_ORIGINS": setting})
    assert all(policy.allows(url) for url in allows)
    assert not policy.allows("https://evil.example/x")
    if "127.0.0.1" not in setting:
        assert not policy.allows("http://127.0.0.1:8123/a")


# -- a misbehaving CDN ---------------------------------------------------------------------------


class Cdn:
    """A local HTTP server whose paths misbehave in the ways a hostile or broken host would."""

    def __init__(self):
        self.hits: list[str] = []
        self.other = None  # another Cdn to redirect to
        self.stop = threading.Event()
        cdn = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                cdn.hits.append(self.path)
                getattr(cdn, "serve_" + self.path.strip("/").split("?")[0].replace("-", "_"))(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()

    def close(self):
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()

    @staticmethod
    def reply(handler, status, body=b"", headers=()):
        handler.send_response(status)
        for name, value in headers:
            handler.send_header(name, value)
        if not any(name == "Content-Length" for name, _ in headers):
            handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def serve_ok(self, h):
        self.reply(h, 200, b'{"id": "t"}')

    def serve_gone(self, h):
        self.reply(h, 404, b"{}")

    def serve_down(self, h):
        self.reply(h, 503, b"{}")

    def serve_redirect_home(self, h):
        self.reply(h, 302, headers=[("Location", "/ok")])

    def serve_redirect_away(self, h):
        self.reply(h, 302, headers=[("Location", f"{self.other.origin}/ok")])

    def serve_redirect_loop(self, h):
        self.reply(h, 302, headers=[("Location", "/redirect-loop")])

    def serve_big_declared(self, h):
        self.reply(h, 200, b"x" * 10, headers=[("Content-Length", str(10 * 1024 * 1024))])

    def serve_big_chunked(self, h):
        h.send_response(200)
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        try:
            for _ in range(100):  # 100 KiB, no length announced
                h.wfile.write(b"400\r\n" + b"x" * 1024 + b"\r\n")
            h.wfile.write(b"0\r\n\r\n")
        except OSError:
            pass  # the client hung up once it had enough

    def serve_lying_length(self, h):
        h.send_response(200)
        h.send_header("Content-Length", "100")
        h.end_headers()
        h.wfile.write(b"x" * 200_000)

    def serve_short(self, h):
        h.send_response(200)
        h.send_header("Content-Length", "100")
        h.send_header("Connection", "close")
        h.end_headers()
        h.wfile.write(b"x" * 10)
        h.close_connection = True

    def serve_drip(self, h):
        """A byte every 20 ms of a 10,000-byte body: 200 s in all, far past any deadline."""
        h.send_response(200)
        h.send_header("Content-Length", "10000")
        h.end_headers()
        try:
            for _ in range(10_000):
                if self.stop.wait(0.02):
                    return
                h.wfile.write(b"x")
                h.wfile.flush()
        except OSError:
            pass  # the client gave up


@pytest.fixture
def cdn():
    home, away = Cdn(), Cdn()
    home.other = away
    yield SimpleNamespace(home=home, away=away, policy=DownloadPolicy(origins=(home.origin,)))
    home.close()
    away.close()


def test_a_plain_download_works(cdn):
    assert download(f"{cdn.home.origin}/ok", cdn.policy) == b'{"id": "t"}'


def test_a_redirect_within_the_allowed_origins_is_followed(cdn):
    assert download(f"{cdn.home.origin}/redirect-home", cdn.policy) == b'{"id": "t"}'
    assert cdn.home.hits == ["/redirect-home", "/ok"]


def test_a_redirect_elsewhere_is_refused_before_any_request_there(cdn):
    with pytest.raises(DownloadRefused):
        download(f"{cdn.home.origin}/redirect-away", cdn.policy)
    assert cdn.away.hits == []


def test_redirects_are_not_followed_forever(cdn):
    with pytest.raises(DownloadFailed, match="too many redirects"):
        download(f"{cdn.home.origin}/redirect-loop", cdn.policy)
    assert len(cdn.home.hits) == cdn.policy.max_redirects + 1


@pytest.mark.parametrize("path", ["/big-declared", "/big-chunked", "/lying-length"])
def test_the_size_cap_holds_whatever_the_server_says(cdn, path):
    policy = DownloadPolicy(origins=(cdn.home.origin,), max_bytes=64 * 1024)
    if path == "/lying-length":  # claims 100 bytes, sends 200 KB: only the 100 are read
        assert download(f"{cdn.home.origin}{path}", policy) == b"x" * 100
        return
    with pytest.raises(DownloadTooLarge):
        download(f"{cdn.home.origin}{path}", policy)


def test_a_body_cut_short_is_a_failure_to_retry(cdn):
    with pytest.raises(DownloadFailed, match="cut short"):
        download(f"{cdn.home.origin}/short", cdn.policy)


def test_a_dripping_server_is_cut_off_at_the_deadline(cdn):
    # Without a whole-download deadline the drip would deliver its 10,000 bytes (200 s); each
    # byte arrives well inside the per-read timeout, so only the deadline can stop it.
    policy = DownloadPolicy(origins=(cdn.home.origin,), deadline_s=0.5, connect_timeout_s=2.0)
    with pytest.raises(DownloadFailed, match="took too long"):
        download(f"{cdn.home.origin}/drip", policy)


@pytest.mark.parametrize("path, error", [("/gone", DownloadGone), ("/down", DownloadFailed)])
def test_statuses_say_whether_to_retry(cdn, path, error):
    with pytest.raises(error):
        download(f"{cdn.home.origin}{path}", cdn.policy)


# -- what the user is told ---------------------------------------------------------------------


class Recorder:
    def __init__(self):
        self.sent = []

    def request(self, route, json=None, **kwargs):
        self.sent.append((route.method, route.path, json))


def recording_deps(**kwargs) -> SimpleNamespace:
    rest = Recorder()
    return SimpleNamespace(rest=rest, api=DiscordApi(rest), **kwargs)


def import_task(url, filename="west.yaml"):
    return Task("290926798626357999", "", "786008729715212338",
                TemplateImport(token="tok", url=url, filename=filename, user_id="1"))


@pytest.mark.parametrize("url", ["https://evil.example/west.yaml", "http://cdn.discordapp.com/a/b/west.yaml"])
def test_an_import_from_anywhere_else_tells_the_user_and_fetches_nothing(url):
    deps = recording_deps(templates=None, application_id="1", downloads=STRICT)
    run_template_import(import_task(url), deps)
    [(method, path, body)] = deps.rest.sent
    assert (method, path) == ("PATCH", "/webhooks/1/tok/messages/@original")
    assert "doesn't point at Discord's file storage" in body["content"]


def test_an_import_that_hits_a_bug_tells_the_user_then_goes_to_the_operator(cdn):
    class BrokenLibrary:
        def put(self, *args, **kwargs):
            raise RuntimeError("a bug")

    deps = recording_deps(templates=BrokenLibrary(), application_id="1", downloads=cdn.policy)
    good = b"id: t\ntitle: T\nchannels: [{name: a, type: text}]\n"
    cdn.home.serve_ok = lambda h: Cdn.reply(h, 200, good)
    with pytest.raises(RuntimeError):  # retried, then dead-lettered: the operator is paged
        run_template_import(import_task(f"{cdn.home.origin}/ok"), deps)
    [(_, _, body)] = deps.rest.sent
    assert "Something went wrong on my side" in body["content"] and "nothing was saved" in body["content"]


def test_a_slow_cdn_never_outlives_the_invocation(cdn):
    """The download's deadline is cut to the worker's remaining time."""
    deps = recording_deps(templates=None, application_id="1",
                          downloads=DownloadPolicy(origins=(cdn.home.origin,), deadline_s=60))
    deps.rest.deadline = time.monotonic() + 0.5
    with pytest.raises(DownloadFailed, match="took too long"):
        run_template_import(import_task(f"{cdn.home.origin}/drip"), deps)
