"""What the doctor's user reads: each finding in plain words (what, why it matters, what its fix
does), most serious first, and the buttons that fix them (buttons.doctor_buttons)."""

from channelwright.campaigns.buttons import doctor_buttons
from channelwright.campaigns.doctor import (
    BOT_LACKS,
    DEPARTED,
    EXPOSED,
    EXTRA,
    HIDDEN,
    MISSING,
    MOVED,
    OVERWRITES,
    ROLE_GONE,
    ROLE_TOO_LOW,
    SEVERITY,
    THREADS,
    Examination,
)
from channelwright.campaigns.plan import GM_ROLE_KEY, PLAYERS_ROLE_KEY, SPECTATORS_ROLE_KEY
from channelwright.campaigns.store import Campaign
from channelwright.text.counts import counted
from channelwright.text.names import md

ALL_WELL = "Doctor: all as it should be."

# kind -> (what it is, why it matters and what the fix does)
WORDS = {
    EXPOSED: ("🚨 **GM-only channels players can read**",
              "players can read what only the GMs should. Fix: I put back the campaign's "
              "permissions there and remove players' own overwrites that let them in."),
    ROLE_GONE: ("🎭 **Campaign roles deleted**",
                "deleting a role drops the channels' overwrites for it and takes it from its "
                "members, so they no longer see (or are no longer kept out of) what the campaign "
                "gives them."),  # its fix is worded from the roles deleted: _roles_gone_fix
    ROLE_TOO_LOW: ("⛔ **Campaign roles above my highest role**",
                   "Discord lets me manage only roles below my own highest role, so I can't give "
                   "or take them (/add-player, /assign-gm) or delete them. I can't fix this myself: "
                   "in Server Settings → Roles, drag my role above the campaign's roles."),
    MISSING: ("❌ **Missing**",
              "deleted by someone (or never made). Fix: I create them again, with the "
              "campaign's permissions, where the template puts them (a deleted campaign role "
              "they name first)."),
    OVERWRITES: ("✏️ **Permissions edited by hand**",
                 "the overwrites for @everyone, the campaign's roles or me aren't the campaign's, "
                 "so the wrong people may see or post. Fix: I put back the campaign's overwrites "
                 "for those; everyone else's overwrites stay as they are."),
    MOVED: ("↪️ **Moved out of the campaign's category**",
            "they no longer sit with the campaign. Fix: I move them back into the category, "
            "in their template place."),
    DEPARTED: ("👋 **Left the server**",
               "they are still on the campaign's record. Fix: I remove them from the record "
               "(if they come back, add them again)."),
    EXTRA: ("➕ **In the category, not made by me**",
            "I leave them alone: they are someone's own, and deleting one would delete its "
            "messages. Move or delete them yourself if they don't belong."),
    HIDDEN: ("🙈 **Hidden from me, so not checked**",
             "someone denied my role View Channel there."),
    BOT_LACKS: ("🔑 **Permissions my role lacks in this server**",
                "without them I can't manage the campaign (make or fix its channels and roles, "
                "or give the permissions its overwrites grant). A bot can't give itself a "
                "permission: in Server Settings → Roles, give my role those permissions, or "
                "re-invite me with my invite link, which asks for them."),
    THREADS: ("🧵 **Players without their private thread**",
              "each player talks with the GMs in a private thread of their own in a per-player "
              "channel; these have none, it was deleted, or they were taken out of it. Fix: I "
              "add them to their thread, made again if it is gone."),
}
FIX_LABELS = {EXPOSED: "Hide GM-only channels", ROLE_GONE: "Recreate roles", MISSING: "Recreate missing",
              OVERWRITES: "Restore permissions", MOVED: "Move back", DEPARTED: "Forget departed",
              THREADS: "Give players their threads"}
DONE = {EXPOSED: "🔒 Hidden from players again", ROLE_GONE: "🎭 Recreated", MISSING: "🧱 Recreated",
        OVERWRITES: "✏️ Permissions put back", MOVED: "↪️ Moved back into the category",
        DEPARTED: "👋 Removed from the record", THREADS: "🧵 Back in their threads"}


def report(campaign: Campaign, exam: Examination) -> tuple[str, list[dict]]:
    """The /campaign-doctor answer and its fix buttons."""
    if not exam.findings:
        return f"🩺 **{md(campaign.name)}**: all as it should be.", []
    count = len({f.kind for f in exam.findings})
    head = (f"🩺 **{md(campaign.name)}**: {counted(count, 'kind')} of difference "
            "from what the campaign should be, most serious first.")
    return "\n".join([head, *findings_lines(exam)]), fix_buttons(campaign, exam)


def section(campaign: Campaign, exam: Examination) -> tuple[str, list[dict]]:
    """The doctor's lines appended to another summary (adopt, unarchive), and its buttons."""
    if not exam.findings:
        return ALL_WELL, []
    return "\n".join(["🩺 **Doctor:** some things differ from what the campaign should be.",
                      *findings_lines(exam)]), fix_buttons(campaign, exam)


def findings_lines(exam: Examination) -> list[str]:
    lines = []
    for kind in SEVERITY:
        what, why = WORDS[kind]
        found = exam.of(kind)
        if found:
            fix = _roles_gone_fix(found) if kind == ROLE_GONE else ""
            lines.append(f"{what}: {', '.join(f.subject for f in found)} — {why}{fix}")
    return lines


def _roles_gone_fix(found: list) -> str:
    """What Recreate roles does for the roles deleted (`found`): each given back to its holders
    on the campaign's record (players, GMs, spectators)."""
    keys = {f.key for f in found}
    holders = [who for key, who in ((PLAYERS_ROLE_KEY, "players"), (GM_ROLE_KEY, "GMs"),
                                    (SPECTATORS_ROLE_KEY, "spectators")) if key in keys]
    give = f", give it back to the {_listed(holders)} on the campaign's record," if holders else ""
    return f" Fix: I create each again{give} and put back the campaign's overwrites for it."


def _listed(words: list[str]) -> str:
    """"a", "a and b", "a, b and c"."""
    return " and ".join(words) if len(words) < 3 else ", ".join(words[:-1]) + " and " + words[-1]


def fix_buttons(campaign: Campaign, exam: Examination) -> list[dict]:
    return doctor_buttons(campaign, [(FIX_LABELS[kind], kind) for kind in exam.fixable()])


def fixed_text(campaign: Campaign, done: dict[str, list[str]], failed: list[str],
               after: Examination) -> str:
    """The fix's summary: what it did (`done`: kind -> subjects), what it couldn't, and what the
    re-check after it still finds."""
    lines = [f"🩺 **{md(campaign.name)}**"]
    lines += [f"{DONE[kind]}: {', '.join(subjects)}." for kind, subjects in done.items() if subjects]
    if not any(done.values()) and not failed:
        lines.append("Nothing needed fixing any more: it was fixed already (I checked again first).")
    lines += failed
    lines.append(ALL_WELL if not after.findings else "Still found:")
    if after.findings:
        lines += findings_lines(after)
    return "\n".join(lines)
