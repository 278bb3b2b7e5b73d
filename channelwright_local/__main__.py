"""`python -m channelwright_local serve | demo | send` — see docs/local-mode.md."""

from __future__ import annotations

import argparse
import errno
import logging
import os
import signal
import sys
import threading
import time
from pathlib import Path

from .discord_side import MissingDiscordSettings
from .fault_presets import PRESETS, parse_faults
from .runtime import DEFAULT_PORT
from .stack_template import TemplateError

NOISY_LOGGERS = ("botocore", "boto3", "urllib3", "werkzeug", "moto", "s3transfer")


def seconds(text: str) -> float:
    """A duration argument: a finite number, 0 or more."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"{text} s: must be 0 or more")
    return value


def positive_seconds(text: str) -> float:
    value = seconds(text)
    if value == 0:
        raise argparse.ArgumentTypeError("must be more than 0 s")
    return value


def port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value}: a port is 0 to 65535 (0: any free port)")
    return value


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        faults = parse_faults(getattr(args, "faults", None))
    except ValueError as error:
        parser().error(str(error))
    configure_logging(args)
    # A Lambda's stdout is its log stream (the handlers' JSON logs and EMF metrics go there); here
    # that is stderr, which keeps stdout for what the user asked for: the banner, the demo.
    args.out, sys.stdout = sys.stdout, sys.stderr
    try:
        return args.run(args, faults)
    except BrokenPipeError:  # `demo | head`: the reader left; stop without a traceback
        os.dup2(os.open(os.devnull, os.O_WRONLY), args.out.fileno())
        return 1


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m channelwright_local",
                                   description="Channelwright on one machine (docs/local-mode.md).")
    commands = root.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the bot: HTTP endpoint, worker, moto, Discord")
    serve.add_argument("--port", type=port, default=DEFAULT_PORT,
                       help=f"port on 127.0.0.1 for POST /interactions (default {DEFAULT_PORT})")
    serve.add_argument("--discord", choices=("emulator", "real"), default="emulator",
                       help="the in-memory emulator (default), or the real API with DISCORD_BOT_TOKEN, "
                            "DISCORD_APPLICATION_ID and DISCORD_PUBLIC_KEY from the environment")
    serve.add_argument("--fast-retries", type=seconds, nargs="?", const=1.0, metavar="SECONDS",
                       help="failed tasks return after SECONDS (default 1) instead of the queue's "
                            "visibility timeout")
    _emulator_options(serve)
    _common(serve)
    serve.set_defaults(run=run_serve)

    demo = commands.add_parser("demo", help="build a campaign in an emulated server and show it")
    _campaign_options(demo)
    _emulator_options(demo)
    demo.add_argument("--port", type=port, default=0, help="port for the endpoint (default: any free)")
    _common(demo)
    demo.set_defaults(run=run_demo)

    send = commands.add_parser("send", help="send /add-campaign to a running `serve` (emulator) "
                                            "and follow it")
    send.add_argument("--url", default=None, help=f"the bot (default http://127.0.0.1:{DEFAULT_PORT})")
    send.add_argument("--port", type=port, default=DEFAULT_PORT, help="shorthand for --url on 127.0.0.1")
    _campaign_options(send)
    send.add_argument("-v", "--verbose", action="store_true")
    send.set_defaults(run=run_send, faults=None)
    return root


def _campaign_options(command) -> None:
    command.add_argument("--name", default="Curse of Strahd", help="the campaign's name")
    command.add_argument("--template", default="default",
                         help="a built-in campaign template's id, matched as /add-campaign matches "
                              "it (default: default)")
    command.add_argument("--timeout", type=positive_seconds, default=120.0,
                         help="give up after this many seconds (default 120)")


def _emulator_options(command) -> None:
    command.add_argument("--latency", type=seconds, default=0.0,
                         help="seconds the emulated Discord waits before each answer")
    command.add_argument("--faults", default=None, metavar="LIST",
                         help=f"comma-separated troubles to inject: {', '.join(PRESETS)}")


def _common(command) -> None:
    command.add_argument("--stack-template", type=Path, default=None, metavar="PATH",
                         help="a synthesized template to take the settings from (default: the "
                              "committed dev-stage snapshot)")
    command.add_argument("-v", "--verbose", action="store_true", help="debug logs")


def configure_logging(args) -> None:
    # The demo draws in the terminal; only errors may interrupt it unless asked for more.
    quiet = args.command in ("demo", "send") and not args.verbose
    default = logging.ERROR if quiet else logging.INFO
    if quiet:  # the handlers' own logs and metrics (Powertools), read when their module loads
        os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")
        os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    logging.basicConfig(stream=sys.stderr, level=logging.DEBUG if args.verbose else default,
                        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s", datefmt="%H:%M:%S")
    # Local mode's own loggers are named local.*: Powertools' Logger(service="channelwright")
    # drops root-handler records from any logger whose name *contains* its service name.
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


# -- serve ----------------------------------------------------------------------------------

def run_serve(args, faults: list[str]) -> int:
    from .runtime import LocalBot, Options

    if args.discord == "real" and (faults or args.latency):
        print("serve: --faults and --latency only apply to the emulated Discord", file=sys.stderr)
        return 2
    stop = threading.Event()

    def on_signal(*_):
        if stop.is_set():  # a second Ctrl-C: the user does not want to wait for a clean stop
            print("serve: stopped without cleaning up", file=sys.stderr, flush=True)
            os._exit(130)
        stop.set()

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, on_signal)
    options = Options(port=args.port, discord=args.discord, fast_retries=args.fast_retries,
                      stack_template=args.stack_template, latency=args.latency, faults=tuple(faults))
    try:
        bot = LocalBot(options).start()
    except MissingDiscordSettings as error:
        print(f"serve: {error}", file=sys.stderr)
        return 2
    except TemplateError as error:
        print(f"serve: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            print(f"serve: port {args.port} on 127.0.0.1 is in use; pick another with --port",
                  file=sys.stderr)
            return 2
        raise
    try:
        print(banner(bot, args), file=args.out, flush=True)
        while not stop.wait(0.5):
            pass
        logging.getLogger("local").info("stopping")
    finally:
        bot.close()
    return 0


def banner(bot, args) -> str:
    info = bot.info()
    worker = info["worker"]
    retries = (f"failed tasks return after {worker['retry_after_s']:g} s (--fast-retries)"
               if worker["retry_after_s"] is not None else
               f"failed tasks return after the {worker['visibility_timeout_s']} s visibility timeout")
    lines = [f"Channelwright is listening on {info['interactions_url']}",
             f"  AWS      moto at {info['aws_endpoint_url']} (in memory: everything is lost on exit)",
             f"           FIFO task queue, batch {worker['batch_size']}, {retries}, dead-letter "
             f"queue after {worker['max_receive_count']} receives; worker timeout {worker['timeout_s']} s",
             f"  settings {info['stack_template']}"]
    if info["discord"] == "emulator":
        lines += [f"  Discord  emulated at {info['emulator_base_url']}: guild {info['guild_id']}, "
                  f"game-master {info['gm_id']}, player {info['player_id']}",
                  "",
                  f"Open {bot.url}/ in a browser: the playground (every command and button, as any "
                  "member, with faults on or off).",
                  "Or from another terminal:",
                  f"  {python()} -m channelwright_local send --port {args.port} --name \"Curse of Strahd\"",
                  f"  curl -s {bot.url}/local/info      # emulator URL, signing key, ids",
                  f"  curl -s {bot.url}/local/guilds/{info['guild_id']}/tree"]
    else:
        lines += [f"  Discord  the real API, application {info['application_id']}",
                  "",
                  "Expose the endpoint, e.g.  cloudflared tunnel --url " + bot.url,
                  "and set <tunnel URL>/interactions as the Interactions Endpoint URL in the "
                  "Developer Portal (docs/local-mode.md)."]
    lines += ["Ctrl-C stops everything."]
    return "\n".join(lines)


def python() -> str:
    """How to name this interpreter in a hint: relative when it is the project's venv."""
    relative = os.path.relpath(sys.executable)
    return relative if not relative.startswith("..") else "python"


# -- demo and send ----------------------------------------------------------------------------

def run_demo(args, faults: list[str]) -> int:
    from .demo import BadCampaignOption, run_demo as demo

    _interrupt_on_sigterm()
    try:
        return demo(name=args.name, template=args.template, latency=args.latency, faults=faults,
                    timeout=args.timeout, out=args.out, port=args.port,
                    stack_template=args.stack_template)
    except (MissingDiscordSettings, TemplateError, BadCampaignOption) as error:
        print(f"demo: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ndemo: interrupted", file=sys.stderr)
        return 130


def run_send(args, faults) -> int:
    from .client import LocalBotError, LocalClient
    from .demo import BadCampaignOption, campaign_options, follow, report

    _interrupt_on_sigterm()
    client = LocalClient(args.url or f"http://127.0.0.1:{args.port}")
    try:
        outcome = follow(client, campaign_options(args.name, args.template),
                         deadline=time.monotonic() + args.timeout, out=args.out)
        report(client, outcome, out=args.out)
    except (LocalBotError, BadCampaignOption) as error:
        print(f"send: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0 if outcome.ok else 1


def _interrupt_on_sigterm() -> None:
    def interrupt(*_):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, interrupt)


if __name__ == "__main__":
    sys.exit(main())
