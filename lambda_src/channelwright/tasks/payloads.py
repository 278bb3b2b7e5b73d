"""What each kind of task carries: one frozen dataclass per kind, its fields typed.

On the queue a payload is the body's `args` object (and a build step's `step`), under the `kind`
string its class names (KIND); a build step's payload, the queue's common case, is
queue.BuildStep (the request path's cold start loads only that one). Those names and keys are
the wire format: bodies already queued,
and bodies read by a worker of an earlier release, keep them, so they never change.

Every task but a build step answers someone: the interaction token its deferred answer is edited
with (valid 15 minutes; tools that show task bodies redact it), the channel the command was typed
in (`channel_id`: where the answer goes once that message is gone), and the caller as the
interaction named them. Commands the worker authorises (worker._authorize) also carry their rule
(`needs`, authority.py) and the words of a refusal (`doing`: "You need ... to <doing>").
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, ClassVar

from channelwright.campaigns.authority import CAMPAIGN_RUNNERS, MANAGERS, Caller

NOBODY = Caller("")


@dataclass(frozen=True, kw_only=True)
class Answered:
    """A task whose asker waits on its answer."""

    KIND: ClassVar[str]  # each concrete kind's name on the wire
    token: str = ""
    channel_id: str = ""
    caller: Caller = NOBODY

    def to_args(self, campaign_run: str) -> dict[str, Any]:
        """The body's `args`: every field, the caller as {"id", "roles"} (Caller.to_args)."""
        args = {f.name: getattr(self, f.name) for f in fields(self)}
        args["caller"] = self.caller.to_args()
        return args

    @classmethod
    def from_args(cls, args: dict[str, Any]) -> "Answered":
        """From a body's `args`, however old: a missing key takes the field's default."""
        values: dict[str, Any] = {}
        for f in fields(cls):
            if f.name == "caller":
                values["caller"] = Caller.from_args(args.get("caller"))
            elif args.get(f.name) is not None:
                values[f.name] = _as_default(f.default, args[f.name])
        return cls(**values)


def _as_default(default: Any, value: Any) -> Any:
    """`value` as the type of the field's default (str, int, bool); as it came for a field whose
    default is None."""
    return type(default)(value) if isinstance(default, (str, int, bool)) else value


@dataclass(frozen=True, kw_only=True)
class Request(Answered):
    """A command's deferred half, for a caller the worker must first clear."""

    needs: str = MANAGERS  # the strictest rule when a body names none
    doing: str = "do that"


@dataclass(frozen=True, kw_only=True)
class CampaignInfo(Request):
    """/campaign-info: the worker reads the server and edits the answer."""

    KIND: ClassVar[str] = "info"


@dataclass(frozen=True, kw_only=True)
class ConfirmDelete(Request):
    """/delete-campaign by someone not holding the GM role: cleared, they get the question."""

    KIND: ClassVar[str] = "confirm_delete"


# A MemberChange's group -> the name of the campaign role it gives or takes.
ROLE_NAMES = {"players": "Players", "gms": "GM", "spectators": "Spectators"}


@dataclass(frozen=True, kw_only=True)
class MemberChange(Request):
    """/add-player, /remove-player, /assign-gm, /add-spectator, /remove-spectator: `action` "add"
    or "remove" `user_id` to or from the campaign's `group` role ("players", "gms" or
    "spectators"), asked by `by` (a display name)."""

    KIND: ClassVar[str] = "member"
    group: str = "players"
    action: str = "add"
    user_id: str = ""
    by: str = ""

    def describe(self) -> str:
        """ "gives the campaign's GM role to user 9": for operators and logs."""
        role = ROLE_NAMES.get(self.group, "Players")
        verb = "gives" if self.action == "add" else "takes away"
        return f"{verb} the campaign's {role} role to user {self.user_id or '?'}"


@dataclass(frozen=True, kw_only=True)
class Delete(Request):
    """A confirmed delete or an Undo, asked by `by`; `public`: the answer edits a public message
    (a GM's Undo on the build's summary), so it must suit everyone who reads it."""

    KIND: ClassVar[str] = "delete"
    needs: str = CAMPAIGN_RUNNERS
    by: str = ""
    public: bool = False

    def to_args(self, campaign_run: str) -> dict[str, Any]:
        """Also names the campaign run as `run`, where workers before Task.campaign_run look."""
        return {**super().to_args(campaign_run), "run": campaign_run}


@dataclass(frozen=True, kw_only=True)
class TemplateImport(Request):
    """/campaign-template import: the uploaded file's CDN `url` and `filename`, by `user_id`."""

    KIND: ClassVar[str] = "template_import"
    url: str = ""
    filename: str = ""
    user_id: str = ""


@dataclass(frozen=True, kw_only=True)
class TemplateRemove(Request):
    """/campaign-template remove: the server template `name`d."""

    KIND: ClassVar[str] = "template_remove"
    name: str = ""


@dataclass(frozen=True, kw_only=True)
class TemplateExport(Request):
    """/campaign-template export: the campaign's layout, as a template file, for its asker."""

    KIND: ClassVar[str] = "template_export"
    needs: str = CAMPAIGN_RUNNERS


@dataclass(frozen=True, kw_only=True)
class Archive(Request):
    """/archive-campaign: archive the campaign in `mode` ("lock": read-only for its players,
    campaigns/archive.py; "collapse": a transcript in one channel kept, the others deleted,
    campaigns/collapse.py), its GM-only channels opened to players read-only if
    `reveal_gm_channels`, asked by `by` (a display name)."""

    KIND: ClassVar[str] = "archive"
    needs: str = CAMPAIGN_RUNNERS
    mode: str = "lock"
    reveal_gm_channels: bool = False
    by: str = ""


@dataclass(frozen=True, kw_only=True)
class Unarchive(Request):
    """/unarchive-campaign: put back what the campaign's archive changed, asked by `by`."""

    KIND: ClassVar[str] = "unarchive"
    needs: str = CAMPAIGN_RUNNERS
    by: str = ""


@dataclass(frozen=True, kw_only=True)
class Rerun(Answered):
    """A re-run of /add-campaign on a failed or stalled campaign by someone the request path can't
    clear (not holding its GM role): the worker checks them, then takes the campaign over and
    builds it (rerun.py). `by` is their display name; `seen` the record's `progress_at` as the
    request found it (a stalled build is taken over only if it stayed silent since)."""

    KIND: ClassVar[str] = "rerun"
    by: str = ""
    seen: int | None = None


@dataclass(frozen=True, kw_only=True)
class AdoptPreview(Request):
    """/adopt-campaign: the worker reads category `category_id` and answers with the preview of
    adopting it with the roles `players_role` and `gm_role` ("" for one to create)."""

    KIND: ClassVar[str] = "adopt_preview"
    category_id: str = ""
    players_role: str = ""
    gm_role: str = ""


@dataclass(frozen=True, kw_only=True)
class AdoptConfirm(AdoptPreview):
    """The preview's Confirm, clicked by `by`: the adoption goes ahead if the server still reads
    as the preview showed it (`fingerprint`, campaigns/adopt_survey.py)."""

    KIND: ClassVar[str] = "adopt_confirm"
    fingerprint: str = ""
    by: str = ""


@dataclass(frozen=True, kw_only=True)
class Roster(Request):
    """A roster change (campaigns/roster.py), `action` one of: "join" and "leave" (the caller
    themself), "approve" and "decline" (a GM's button on `user_id`'s request), "settings"
    (`joining` "" or "open"/"approval"/"closed", `seats` -1 unchanged or the cap, 0 none),
    "transfer" (the lead to `user_id`); asked by `by` (a display name). `public`: the answer edits
    the clicked request in the GMs' channel."""

    KIND: ClassVar[str] = "roster"
    needs: str = CAMPAIGN_RUNNERS
    action: str = ""
    user_id: str = ""
    by: str = ""
    joining: str = ""
    seats: int = -1
    public: bool = False

    def describe(self) -> str:
        """ "approve user 9": for operators and logs."""
        return f"{self.action or '?'}{f' user {self.user_id}' if self.user_id else ''}"


@dataclass(frozen=True, kw_only=True)
class Doctor(Request):
    """/campaign-doctor: the worker compares the server with the campaign and answers with what
    differs and the buttons that fix it (campaigns/doctor.py)."""

    KIND: ClassVar[str] = "doctor"
    needs: str = CAMPAIGN_RUNNERS


@dataclass(frozen=True, kw_only=True)
class DoctorFix(Request):
    """A doctor's fix button, clicked by `by`: fix what `kind` names (a campaigns/doctor.py kind,
    or "all"), found afresh when the task runs (campaigns/doctor_fix.py)."""

    KIND: ClassVar[str] = "doctor_fix"
    needs: str = CAMPAIGN_RUNNERS
    kind: str = ""
    by: str = ""


@dataclass(frozen=True)
class Unknown:
    """A body of a kind this code does not know (a newer release's, or garbage): kept as it came,
    so tools can show it; the worker drops it (decision.decide)."""

    kind: str
    args: dict

    @property
    def KIND(self) -> str:  # noqa: N802 - read like the classes' KIND
        return self.kind

    def to_args(self, campaign_run: str) -> dict[str, Any]:
        return dict(self.args)


ANSWERED_KINDS: dict[str, type[Answered]] = {
    kind.KIND: kind for kind in (CampaignInfo, ConfirmDelete, MemberChange, Delete, TemplateImport,
                                 TemplateRemove, TemplateExport, Rerun, Archive, Unarchive,
                                 AdoptPreview, AdoptConfirm, Roster,
                                 Doctor, DoctorFix)}


def payload_from(kind: str, args: dict[str, Any]) -> Answered | Unknown:
    """The payload a body's `kind` (any but a build step's) and `args` describe."""
    known = ANSWERED_KINDS.get(kind)
    return known.from_args(args) if known else Unknown(kind, dict(args))
