"""Giving and taking a campaign's roles: /add-player, /remove-player, /assign-gm, /add-spectator,
/remove-spectator (worker side), and the one role change every roster change makes (change_role)."""

from channelwright.campaigns import lost_access, player_threads
from channelwright.campaigns.plan import GM_ROLE_KEY, PLAYERS_ROLE_KEY, SPECTATORS_ROLE_KEY
from channelwright.campaigns.progress import ProgressMessage
from channelwright.discord.errors import DiscordRejected, JsonErrorCode
from channelwright.text.names import md
from channelwright.text.problems import Problem

# A roster group: its role's step key (plan.py), what one of it is, and the role's name.
GROUPS = {"players": (PLAYERS_ROLE_KEY, "a player", "Players"), "gms": (GM_ROLE_KEY, "a GM", "GM"),
          "spectators": (SPECTATORS_ROLE_KEY, "a spectator", "Spectators")}


def run_member_change(task, deps, standing) -> None:
    """`standing`: the caller's, already found to be a GM of the campaign or a server manager."""
    change = task.payload  # tasks.payloads.MemberChange
    reply = ProgressMessage.answering(deps.api, deps.application_id, change.token, task.interaction_id)
    campaign = deps.store.get(task.guild_id, task.campaign_key)
    if campaign is None:
        reply.finish("That campaign no longer exists.")
        return
    key, what, role_name = GROUPS[change.group]
    role = campaign.resources.get(key, {}).get("id")
    user, adding = change.user_id, change.action == "add"
    if role is None:  # a doctor's role fix that failed forgot the deleted one's id
        reply.finish(Problem(f"“{md(campaign.name)}” has no {role_name} role.",
                             "It was deleted by hand and not made again yet.",
                             run_the_doctor(campaign)).text())
        return
    taking_part = taking_part_already(campaign, user) if change.group == "spectators" and adding else None
    if taking_part is not None:
        reply.finish(taking_part.text())
        return
    try:
        change_role(deps, campaign, change.group, user, adding=adding,
                    reason=f"Channelwright: {change.by or 'someone'} made them "
                           f"{'' if adding else 'no longer '}{what} in “{campaign.name}”")
    except DiscordRejected as error:
        if error.code == JsonErrorCode.UNKNOWN_MEMBER:
            problem = Problem("That person isn't a member of this server.",
                              "Only server members can be given a campaign's roles.",
                              "Invite them to the server first.")
        elif error.code == JsonErrorCode.UNKNOWN_ROLE:
            problem = Problem(f"“{md(campaign.name)}”'s {role_name} role was deleted by hand.",
                              "There is no role left to give.", run_the_doctor(campaign))
        else:
            problem = lost_access.explain(error, f"changing <@{user}>'s roles", api=deps.api,
                                          guild_id=task.guild_id, bot_user_id=deps.bot_user_id,
                                          again="try the command again")
        reply.finish(problem.text())
        return
    verb = f"is now {what} in" if adding else f"is no longer {what} in"
    reply.finish(f"✅ <@{user}> {verb} **{md(campaign.name)}**.")


def taking_part_already(campaign, user_id: str) -> Problem | None:
    """Why `user_id` can't be made a spectator: they are a player or GM of it (on its record),
    who see its spectators channels already and post there; None if they aren't."""
    for group, what in (("gms", "a GM of"), ("players", "a player in")):
        if user_id in getattr(campaign, group):
            return Problem(f"<@{user_id}> is {what} “{md(campaign.name)}” already.",
                           "Spectators only watch; its players and GMs see its spectators channels "
                           "and post there.",
                           "Nothing to do. To make a player a spectator instead, `/remove-player` "
                           "them first.")
    return None


def run_the_doctor(campaign) -> str:
    return (f"Run `/campaign-doctor` for “{md(campaign.name)}” and press **Recreate roles**, "
            "then try again.")


def change_role(deps, campaign, group: str, user_id: str, *, adding: bool, reason: str) -> None:
    """Give (`adding`) or take the campaign's `group` role (a key of GROUPS), then record it.

    Add and Remove Guild Member Role are PUT and DELETE (developers/resources/guild.mdx), so a
    repeat changes nothing; the record's sets are the same. The role first: a record that says
    "player" always follows a role given; a player's private threads follow (player_threads.py).
    DiscordRejected as Discord refused (but a deleted role taken: no one holds it); KeyError if
    the campaign has no such role."""
    role = campaign.resources[GROUPS[group][0]]["id"]
    if adding:
        deps.api.add_member_role(campaign.guild_id, user_id, role, reason=reason)
    else:
        try:
            deps.api.remove_member_role(campaign.guild_id, user_id, role, reason=reason)
        except DiscordRejected as error:
            # 404 10011 Unknown Role: deleted by hand, so no one holds it any more (developers/
            # topics/opcodes-and-status-codes.mdx, "JSON Error Codes"); the record follows.
            if error.code != JsonErrorCode.UNKNOWN_ROLE:
                raise
    if adding:
        deps.store.add_member(campaign, group, user_id)
    else:
        deps.store.remove_member(campaign, group, user_id)
    if group == "players" and adding:
        player_threads.give(deps, campaign, user_id)
    elif group == "players":
        player_threads.follow(deps, campaign, user_id, adding=False)
