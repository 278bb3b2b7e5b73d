"""A campaign's roster, self-served (worker side): joining, leaving, the GMs' approval, the seat
cap and its waitlist, and the lead GM.

How a campaign is joined is its `joining` (store.py): CLOSED (its GMs add players with
/add-player, the default), OPEN (/join-campaign gives the Players role at once) or APPROVAL (the
request is posted in the campaign's first GM-only text channel with Approve and Decline buttons).
With `seats` set, a join or an approval past the cap goes onto the waitlist, which is promoted
first come first as seats free (a player leaves or is removed, a member who left the server is
found, the cap grows); the one promoted is welcomed, pinged, in the players' first text channel.

An asker is told the GMs' decision: approved, by the welcome in the players' channel (or, put on
the waitlist, by a direct message); declined, by a direct message (developers/resources/user.mdx,
"Create DM"; read outside the server, it names the server too), and the decline is recorded, so
their next /join-campaign says so (and that they may ask again, which the one after it does). A
member who takes no DMs from the bot (403 50007 "Cannot send messages to this user":
developers/topics/opcodes-and-status-codes.mdx, "JSON Error Codes") isn't told: the decision
stands and the GMs read that they weren't told.

Members who leave the server: this bot gets interactions over HTTP only, no gateway events
(developers/events/gateway.mdx), so it is never told. Every roster change and /campaign-info
first asks Discord for each recorded member (Get Guild Member); 404 with code 10007 "Unknown
Member" (developers/topics/opcodes-and-status-codes.mdx, JSON Error Codes) means they left:
they are dropped from the record (players, waitlist, requests, GMs; a lead who left is followed
by the longest-serving GM) and the GMs are told in their channel.

Every change is a conditional write of the state it changes (store.py), so a second click or a
redelivered task finds it done and changes nothing again.
"""

from channelwright.campaigns import membership, player_threads
from channelwright.campaigns.authority import campaign_role
from channelwright.campaigns.buttons import request_buttons
from channelwright.campaigns.plan import CHANNEL, GM_ROLE_KEY, PLAYERS_ROLE_KEY, SPECTATORS_ROLE_KEY, Step
from channelwright.campaigns.progress import ProgressMessage
from channelwright.campaigns.store import APPROVAL, CLOSED, OPEN, Campaign
from channelwright.discord.errors import DiscordError, DiscordRejected, JsonErrorCode
from channelwright.text.counts import counted
from channelwright.text.names import md
from channelwright.text.problems import Problem, Refusal

JOININGS = (CLOSED, OPEN, APPROVAL)


def run_roster(task, deps, standing) -> None:
    """`task.payload`: tasks.payloads.Roster; `standing`: the caller's (authority.Standing),
    already found to meet its `needs`. Edits the asker's answer (for a GM's click, the clicked
    request) unless there is nothing new to say on a public message."""
    change = task.payload
    reply = ProgressMessage.answering(deps.api, deps.application_id, change.token,
                                      task.interaction_id, ephemeral=not change.public)
    campaign = deps.store.get(task.guild_id, task.campaign_key)
    if campaign is None:
        reply.finish("That campaign no longer exists.", components=[])
        return
    campaign = sweep(deps, campaign)
    text = ACTIONS[change.action](change, campaign, deps, standing)
    if text is not None:
        reply.finish(text, components=[])


def run_member_change(task, deps, standing) -> None:
    """/add-player, /remove-player, /assign-gm (membership.py); a player removed frees a seat
    for the waitlist, and one a GM adds, or removes, is no longer waiting, asking or declined (removed
    from the waitlist, they never get the seat a GM just took from them)."""
    membership.run_member_change(task, deps, standing)
    change = task.payload
    campaign = deps.store.get(task.guild_id, task.campaign_key)
    if campaign is None or change.group != "players" or change.user_id in campaign.gms:
        return
    removing = change.action == "remove"
    if removing or change.user_id in campaign.players:
        # A player now: an earlier decline no longer says anything about them.
        for where in ("waiting", "asking", "declined"):
            if change.user_id in getattr(campaign, where):
                deps.store.drop_request(campaign, where, change.user_id)
    if removing:
        promote(deps, _reread(deps, campaign))


# -- members who left the server ----------------------------------------------------------------

def sweep(deps, campaign: Campaign) -> Campaign:
    """The campaign with the members who left the server dropped (see the module's docstring),
    the GMs told, and the seats they freed given to the waitlist."""
    recorded = sorted(campaign.players | campaign.gms | set(campaign.waiting) | set(campaign.asking))
    gone = [user for user in recorded if not is_member(deps, campaign.guild_id, user)]
    if not gone:
        return campaign
    lead = _successor(campaign, gone) if campaign.lead in gone else None
    deps.store.forget_members(campaign, gone, lead)
    campaign = _reread(deps, campaign)
    mentions = ", ".join(f"<@{user}>" for user in gone)
    note = f" <@{campaign.lead}> is the lead GM now." if lead else ""
    tell_gms(deps, campaign, f"👋 {mentions} left the server, so I took them off "
                             f"**{md(campaign.name)}**'s roster.{note}")
    return promote(deps, campaign)


def is_member(deps, guild_id: str, user_id: str) -> bool:
    """False when Get Guild Member answers 404 10007 Unknown Member: they left the server."""
    try:
        deps.api.get_member(guild_id, user_id)
    except DiscordRejected as error:
        if error.code != JsonErrorCode.UNKNOWN_MEMBER:
            raise
        return False
    return True


def _successor(campaign: Campaign, gone: list[str]) -> str:
    """The longest-serving GM still here ("" if none): the campaign's first GMs have no
    `gm_since` and come first; ties go to the older account (the smaller snowflake)."""
    staying = [gm for gm in campaign.gms if gm not in gone]
    return min(staying, key=lambda gm: (campaign.gm_since.get(gm, 0), int(gm)), default="")


# -- where the roster is told ---------------------------------------------------------------------

def _first_channel(campaign: Campaign, *, gm_only: bool) -> str | None:
    """The id of the campaign's first text channel (in plan order) that is GM-only, or not."""
    for data in campaign.plan:
        step = Step.from_dict(data)
        made = campaign.resources.get(step.key) or {}
        if (step.kind == CHANNEL and step.gm_only == gm_only and step.channel_type == "text"
                and made.get("id")):
            return made["id"]
    return None


def gm_channel(campaign: Campaign) -> str | None:
    """Where the GMs are told: the campaign's first GM-only text channel."""
    return _first_channel(campaign, gm_only=True)


def tell_gms(deps, campaign: Campaign, text: str, components: list | None = None) -> bool:
    """Post `text` in the GMs' channel, pinging no one; False if there is none or Discord
    refused (deleted by hand: the roster change stands all the same)."""
    return _post(deps, gm_channel(campaign), text, components=components)


def welcome(deps, campaign: Campaign, user_id: str, how: str) -> bool:
    """Tell a new player, pinging them alone, in the players' first text channel: a task's answer
    can't reach them after its token's 15 minutes (developers/interactions/
    receiving-and-responding.mdx, "Interaction tokens are valid for 15 minutes")."""
    return _post(deps, _first_channel(campaign, gm_only=False),
                 f"🎲 Welcome <@{user_id}>: {how} **{md(campaign.name)}**.", mentions=(user_id,))


def tell_by_dm(deps, user_id: str, text: str) -> bool:
    """Send `text` to the user by direct message, pinging no one; False if they take no DMs
    from me (403 50007). Other refusals propagate."""
    try:
        deps.api.create_message(deps.api.create_dm(user_id)["id"], text)
    except DiscordRejected as error:
        if error.code != JsonErrorCode.CANNOT_MESSAGE_USER:
            raise
        return False
    return True


def _post(deps, channel_id: str | None, text: str, **message) -> bool:
    if channel_id is None:
        return False
    try:
        deps.api.create_message(channel_id, text, **message)
    except DiscordRejected:
        return False
    return True


# -- seats and the waitlist -------------------------------------------------------------------------

def _full(campaign: Campaign) -> bool:
    return bool(campaign.seats) and len(campaign.players) >= campaign.seats


def _position(campaign: Campaign, user_id: str) -> int:
    return campaign.waitlist.index(user_id) + 1


def _give_players_role(deps, campaign: Campaign, user_id: str, why: str) -> None:
    """Add Guild Member Role (a PUT: giving a held role again changes nothing); Refusal if the
    campaign has no Players role: none recorded, or Discord answers 404 10011 Unknown Role
    (developers/topics/opcodes-and-status-codes.mdx, "JSON Error Codes")."""
    role = campaign_role(campaign, PLAYERS_ROLE_KEY)
    deleted = Refusal(Problem(f"“{md(campaign.name)}”'s Players role was deleted by hand.",
                              "I can't seat anyone until it is made again.",
                              f"Ask one of its GMs to run `/campaign-doctor` for “{md(campaign.name)}” "
                              "and press **Recreate roles**."))
    if role is None:
        raise deleted
    try:
        deps.api.add_member_role(campaign.guild_id, user_id, role, reason=f"Channelwright: {why}")
    except DiscordRejected as error:
        if error.code != JsonErrorCode.UNKNOWN_ROLE:
            raise
        raise deleted from error


def promote(deps, campaign: Campaign) -> Campaign:
    """Seat the waitlist, first come first, while seats are free; each promoted player is given
    the Players role and their private threads (player_threads.py), welcomed, and the GMs told.
    A thread Discord refuses doesn't undo the seat, nor what freed it (someone leaving, say): the
    GMs are told, and /campaign-doctor mends it. Returns the campaign as it is then."""
    while campaign.waitlist and not _full(campaign):
        user = campaign.waitlist[0]
        _give_players_role(deps, campaign, user, f"a seat freed in “{campaign.name}”")
        seated = deps.store.seat(campaign, user, source="waiting")
        campaign = _reread(deps, campaign)
        threadless = ""
        if user in campaign.players:
            try:
                player_threads.give(deps, campaign, user)
            except Refusal as refused:
                threadless = f" They have no private thread yet: {refused.problem.why} {refused.problem.fix}"
        if seated:
            welcome(deps, campaign, user, "a seat freed up, so you're now a player in")
            tell_gms(deps, campaign, f"🪑 <@{user}> got a seat in **{md(campaign.name)}** from "
                                     f"its waitlist.{threadless}")
    return campaign


def _reread(deps, campaign: Campaign) -> Campaign:
    fresh = deps.store.get(campaign.guild_id, campaign.key)
    if fresh is None:
        raise Refusal(Problem("That campaign no longer exists.", "It was deleted meanwhile.",
                              "Nothing more to do."))
    return fresh


# -- the actions --------------------------------------------------------------------------------------

def _join(change, campaign: Campaign, deps, standing) -> str:
    user, name = change.caller.user_id, md(campaign.name)
    if user in campaign.players:
        return f"You're a player in **{name}** already."
    if user in campaign.gms:
        return f"You're a GM of **{name}**: GMs don't take a player's seat."
    if user in campaign.waiting:
        return f"You're number {_position(campaign, user)} on **{name}**'s waitlist already."
    if campaign.joining == CLOSED:
        raise Refusal(_closed(campaign))
    if campaign.joining == APPROVAL and user in campaign.declined:
        deps.store.drop_request(campaign, "declined", user)
        return (f"❌ Your last request to join **{name}** was declined by its GMs. You may ask again: "
                "run `/join-campaign` once more to send a new request.")
    if campaign.joining == APPROVAL:
        return _ask(change, campaign, deps)
    return _admit(deps, campaign, user, source="", by="you joined")


def _closed(campaign: Campaign) -> Problem:
    return Problem(f"“{md(campaign.name)}” isn't open to requests: its GMs choose its players.",
                   "Its GMs haven't opened it with `/campaign-settings`.",
                   "Ask one of its GMs to add you with `/add-player`.")


def _ask(change, campaign: Campaign, deps) -> str:
    user, name = change.caller.user_id, md(campaign.name)
    if user in campaign.asking:
        return f"You've asked to join **{name}** already; its GMs haven't decided yet."
    if gm_channel(campaign) is None:
        raise Refusal(Problem(f"I can't reach “{name}”'s GMs.",
                              "It has no GM-only text channel to post your request in.",
                              "Ask one of its GMs directly."))
    if not deps.store.note_request(campaign, "asking", user):
        return f"You've asked to join **{name}** already; its GMs haven't decided yet."
    full = " It is full: if approved, you go on its waitlist." if _full(campaign) else ""
    posted = tell_gms(deps, campaign, f"🙋 <@{user}> asks to join **{name}**.{full}",
                      components=request_buttons(campaign, user))
    if not posted:  # the channel was deleted by hand: take the request back
        deps.store.drop_request(campaign, "asking", user)
        raise Refusal(Problem(f"I couldn't post your request in “{name}”'s GM channel.",
                              "It was deleted, or I may no longer post there.",
                              f"Ask one of its GMs directly: `/campaign-doctor` for “{name}” puts "
                              "its channel back."))
    return (f"📨 I asked **{name}**'s GMs to let you in.{full} You'll be welcomed in its "
            "players' channel once they approve, or told by direct message if they decline.")


def _admit(deps, campaign: Campaign, user: str, *, source: str, by: str) -> str:
    """Seat `user` (taken from `source`, "" or "asking"), or waitlist them when it's full; a
    player seated gets their private threads in per-player channels (player_threads.py)."""
    name = md(campaign.name)
    if _full(campaign):
        noted = (deps.store.move_request(campaign, user) if source
                 else deps.store.note_request(campaign, "waiting", user))
        campaign = _reread(deps, campaign)
        if not noted and user not in campaign.waiting:
            return f"<@{user}>'s request was decided already."
        return (f"**{name}** is full ({counted(campaign.seats, 'seat')}): <@{user}> is number "
                f"{_position(campaign, user)} on its waitlist, and gets the next free seat in turn.")
    _give_players_role(deps, campaign, user, f"{by} “{campaign.name}”")
    seated = deps.store.seat(campaign, user, source=source)
    campaign = _reread(deps, campaign)
    if user in campaign.players:  # their private threads, given once however often this runs
        player_threads.give(deps, campaign, user)
    if not seated:
        if user in campaign.players:  # a repeat of this very change
            return f"<@{user}> is a player in **{name}** already."
        raise Refusal(Problem(f"<@{user}>'s request to join “{name}” was decided already.",
                              "Another GM answered it first.", "Nothing more to do."))
    if user in campaign.declined:  # a player now: that decline no longer says anything
        deps.store.drop_request(campaign, "declined", user)
    return f"✅ <@{user}> {'joined' if not source else 'is now a player in'} **{name}**."


def _approve(change, campaign: Campaign, deps, standing) -> str | None:
    user = change.user_id
    if user not in campaign.asking:
        return _nothing_to_decide(deps, change, campaign, user)
    text = _admit(deps, campaign, user, source="asking", by=f"{change.by} approved their joining")
    campaign = _reread(deps, campaign)
    if user in campaign.players:
        welcome(deps, campaign, user, "the GMs approved you: you're now a player in")
    elif user in campaign.waiting:
        tell_by_dm(deps, user, f"✅ The GMs of **{md(campaign.name)}**{_in_server(standing)} approved your "
                               f"request, but it is full: you're number {_position(campaign, user)} on "
                               "its waitlist, and you'll be welcomed in its players' channel when a seat "
                               "frees up.")
    return f"{text} (approved by {md(change.by)})"


def _decline(change, campaign: Campaign, deps, standing) -> str | None:
    user, name = change.user_id, md(campaign.name)
    if user not in campaign.asking:
        return _nothing_to_decide(deps, change, campaign, user)
    server = _in_server(standing)  # read first: a Discord error then leaves the request undecided
    if not deps.store.decline_request(campaign, user):
        return _nothing_to_decide(deps, change, campaign, user)
    told = tell_by_dm(deps, user, f"❌ Your request to join the campaign **{name}**{server} was declined "
                                  "by its GMs. You may ask again with `/join-campaign`.")
    unsaid = ("" if told else " I couldn't tell them by direct message (they don't take DMs from me), "
              "so tell them yourself if you wish.")
    return f"❌ <@{user}>'s request to join **{name}** was declined by {md(change.by)}.{unsaid}"


def _in_server(standing) -> str:
    """The words " in the server **name**": a direct message is read outside the server, where a member of
    two servers with same-named campaigns couldn't tell which. The name is Get Guild's (developers/
    resources/guild.mdx), read once per task with the caller's standing (authority.Standing)."""
    return f" in the server **{md(standing.guild.name)}**"


def _nothing_to_decide(deps, change, campaign: Campaign, user: str) -> str | None:
    """A GM's answer to someone no longer asking. To a command: _decided. On the request message
    (`change.public`): a request decided already (a double click, or a GM's /add-player) stays as
    it is, and the clicker alone is told why nothing happened (an ephemeral follow-up:
    developers/interactions/receiving-and-responding.mdx, "Create Followup Message"); one that
    ended otherwise (taken back, the asker removed or gone from the server: sweep) is closed, its
    buttons gone, so no GM is left with a live request."""
    if not change.public:
        return _decided(campaign, user)
    if user not in campaign.players and user not in campaign.waiting and user not in campaign.declined:
        return (f"🙋 <@{user}>'s request to join **{md(campaign.name)}** is closed: they took it back, "
                "a GM removed them, or they left the server.")
    try:
        deps.api.create_followup(deps.application_id, change.token, _decided(campaign, user), ephemeral=True)
    except DiscordError:
        pass  # the token expired: the clicker sees the request unchanged, as before
    return None


def _decided(campaign: Campaign, user: str) -> str:
    name = md(campaign.name)
    state = (f"is a player in **{name}** already" if user in campaign.players else
             f"is number {_position(campaign, user)} on **{name}**'s waitlist" if user in campaign.waiting
             else f"was declined for **{name}** already" if user in campaign.declined
             else f"isn't asking to join **{name}** any more (they took it back, a GM removed "
                  "them, or they left the server)")
    return f"Nothing to decide: <@{user}> {state}."


def _leave(change, campaign: Campaign, deps, standing) -> str:
    user, name = change.caller.user_id, md(campaign.name)
    if user == campaign.lead:
        raise Refusal(Problem(f"You're the lead GM of “{md(campaign.name)}”.",
                              "A campaign keeps its lead GM until the lead is handed over.",
                              "Hand it to another GM with `/transfer-campaign`, then leave."))
    if deps.store.drop_request(campaign, "waiting", user):
        return f"You left **{name}**'s waitlist."
    if deps.store.drop_request(campaign, "asking", user):
        return f"You took back your request to join **{name}**."
    holds = change.caller.role_ids
    for group, key, what in (("players", PLAYERS_ROLE_KEY, "a player in"), ("gms", GM_ROLE_KEY, "a GM of"),
                             ("spectators", SPECTATORS_ROLE_KEY, "a spectator of")):
        role = campaign_role(campaign, key)
        if role and (user in getattr(campaign, group) or role in holds):
            membership.change_role(deps, campaign, group, user, adding=False,
                                   reason=f"Channelwright: they left “{campaign.name}”")
            tell_gms(deps, campaign, f"🚪 <@{user}> left **{name}** (was {what} it).")
            if group == "players":
                promote(deps, _reread(deps, campaign))
            return f"You're no longer {what} **{name}**."
    return f"You're not in **{name}**."


def _settings(change, campaign: Campaign, deps, standing) -> str:
    joining = change.joining or campaign.joining
    seats = campaign.seats if change.seats < 0 else change.seats
    if joining == APPROVAL and gm_channel(campaign) is None:
        raise Refusal(Problem(f"“{md(campaign.name)}” has no GM-only text channel.",
                              "Requests to join are posted there for its GMs to decide.",
                              "Pick `open`, or keep it `closed` and add players with `/add-player`."))
    if (joining, seats) != (campaign.joining, campaign.seats):
        deps.store.set_joining(campaign, joining, seats)
        campaign = promote(deps, _reread(deps, campaign))
    return settings_text(campaign)


def settings_text(campaign: Campaign) -> str:
    """How the campaign is joined, its seats and its waitlist, in one line."""
    how = {CLOSED: "its GMs add players", OPEN: "anyone may `/join-campaign`",
           APPROVAL: "`/join-campaign` asks its GMs"}.get(campaign.joining, campaign.joining)
    seats = (f"{len(campaign.players)} of {counted(campaign.seats, 'seat')} taken" if campaign.seats
             else f"{counted(len(campaign.players), 'player')}, no seat cap")
    lead = f"<@{campaign.lead}>" if campaign.lead else "nobody"
    return (f"**{md(campaign.name)}**: {how} · {seats} · waitlist {len(campaign.waiting)} · "
            f"requests {len(campaign.asking)} · lead GM {lead}")


def _transfer(change, campaign: Campaign, deps, standing) -> str:
    user, name = change.user_id, md(campaign.name)
    if change.caller.user_id != campaign.lead and not standing.is_manager():
        raise Refusal(Problem(f"Only the lead GM of “{md(campaign.name)}” or a server manager can "
                              "hand its lead over.",
                              "The lead is the GM who may hand it on; server managers have Manage "
                              "Channels through their roles.",
                              "Ask the lead GM, or someone with Manage Channels."))
    if user == campaign.lead:
        return f"<@{user}> is the lead GM of **{name}** already."
    gm_role_deleted = Refusal(Problem(f"“{md(campaign.name)}”'s GM role was deleted by hand.",
                                      "There is no role left to give.",
                                      membership.run_the_doctor(campaign)))
    if campaign_role(campaign, GM_ROLE_KEY) is None:
        raise gm_role_deleted
    if not is_member(deps, campaign.guild_id, user):
        raise Refusal(Problem("That person isn't a member of this server.",
                              "Only a server member can lead a campaign.",
                              "Pick someone in this server."))
    try:
        membership.change_role(deps, campaign, "gms", user, adding=True,
                               reason=f"Channelwright: {change.by} made them lead GM of “{campaign.name}”")
    except DiscordRejected as error:  # 404 10011 Unknown Role (opcodes-and-status-codes.mdx)
        if error.code == JsonErrorCode.UNKNOWN_ROLE:
            raise gm_role_deleted from error
        raise
    deps.store.set_lead(campaign, user)
    tell_gms(deps, campaign, f"👑 <@{user}> is now the lead GM of **{name}** "
                             f"(handed over by {md(change.by)}).")
    return f"👑 <@{user}> is now the lead GM of **{name}**."


ACTIONS = {"join": _join, "leave": _leave, "approve": _approve, "decline": _decline,
           "settings": _settings, "transfer": _transfer}
