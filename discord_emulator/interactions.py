"""Interactions: the payload Discord POSTs to the bot, and the webhook messages
the bot later edits with the interaction token.

DOCS/rr: the bot must answer within 3 s or the token is invalidated; the token
then works for 15 minutes. Live Discord answers an expired token with 401 50027
and an unknown one with 404 10015 (see the reference notes, §1.6).
"""

import base64
import json
import secrets
import time
from dataclasses import dataclass, field

from . import errors, validation
from .errors import ApiError
from .messages import (EPHEMERAL, IS_COMPONENTS_V2, LOADING, SUPPRESS_EMBEDS, SUPPRESS_NOTIFICATIONS,
                       is_empty, message_fields, refuse_if_empty)
from .command_visibility import CommandUnavailable, refuse_unless_usable, registered_command, supported_owners
from .model import Member, Message, iso_now
from .uploads import attach
from .permissions import (ADD_REACTIONS, ATTACH_FILES, EMBED_LINKS, MENTION_EVERYONE, READ_MESSAGE_HISTORY,
                          SEND_MESSAGES, USE_EXTERNAL_EMOJIS, VIEW_CHANNEL, channel_permissions)

# DOCS/rr "Interaction Type".
APPLICATION_COMMAND, MESSAGE_COMPONENT, APPLICATION_COMMAND_AUTOCOMPLETE = 2, 3, 4
TOKEN_LIFETIME = 15 * 60.0
ACK_DEADLINE = 3.0
# A plausible set for a bot in a DM; Discord computes it, nothing in this project depends on it.
DM_APP_PERMISSIONS = (VIEW_CHANNEL | SEND_MESSAGES | EMBED_LINKS | ATTACH_FILES | READ_MESSAGE_HISTORY
                      | ADD_REACTIONS | USE_EXTERNAL_EMOJIS)
# Changelog "Interaction app_permissions" (2022): an app without a bot user in the guild gets
# @everyone's permissions there, limited to what an interaction response can use.
APP_WITHOUT_BOT_PERMISSIONS = ATTACH_FILES | EMBED_LINKS | MENTION_EVERYONE | USE_EXTERNAL_EMOJIS
EDITABLE_FLAGS = SUPPRESS_EMBEDS | IS_COMPONENTS_V2
RESPONSE_FLAGS = EPHEMERAL | SUPPRESS_EMBEDS | SUPPRESS_NOTIFICATIONS | IS_COMPONENTS_V2


class AcknowledgedTooLate(RuntimeError):
    """The bot answered after `ack_deadline`; Discord shows "interaction failed" and the
    token stops working (later webhook calls: 404 10015)."""


@dataclass
class Interaction:
    id: str
    token: str
    guild_id: str | None
    channel_id: str
    user_id: str
    created: float = field(default_factory=time.monotonic)
    status: str = "active"  # "active" | "expired" | "forgotten"
    acknowledged: bool = False
    original: Message | None = None
    history: list[str] = field(default_factory=list)
    followups: dict[str, Message] = field(default_factory=dict)
    user_installed: bool = False  # authorised by the user's installation ("1"), not only the guild's
    type: int = APPLICATION_COMMAND  # what Discord sent: decides which responses are valid
    autocomplete_choices: list | None = None  # the type-8 answer's choices
    modal: dict | None = None  # the type-9 answer's data


def parse_response(response) -> dict:
    """The bot's inline reply as a dict; accepts a dict, JSON text, or an API Gateway result."""
    if isinstance(response, dict) and "statusCode" in response:
        if response["statusCode"] != 200:
            raise ValueError(f"the bot answered HTTP {response['statusCode']}, not an interaction response")
        body = response.get("body") or "{}"
        response = base64.b64decode(body) if response.get("isBase64Encoded") else body
    if isinstance(response, (bytes, str)):
        response = json.loads(response)
    return response


class Interactions:
    def __init__(self, state, application_id: str, commands=None, attachments=None):
        self.state = state
        self.application_id = application_id
        self.commands = commands  # ApplicationCommands, for command visibility; None: no check
        self.attachments = attachments  # attachments.Attachments: where uploaded files go
        self.by_token: dict[str, Interaction] = {}
        self.by_id: dict[str, Interaction] = {}
        self.command_ids: dict[str, str] = {}
        self.dm_channels: dict[str, str] = {}
        self.token_lifetime = TOKEN_LIFETIME
        self.ack_deadline: float | None = ACK_DEADLINE

    # -- what Discord sends the bot --------------------------------------------------

    def create(self, guild_id, user_id, command, options=None, app_permissions=None,
               member_permissions=None, channel_id=None, locale="en-US", resolved=None,
               user_installed=False) -> dict:
        """An APPLICATION_COMMAND payload; CommandUnavailable when the command is registered
        here and Discord would not offer it to this user in this place."""
        data = {"id": self.command_ids.setdefault(command, self.state.ids.next()), "name": command,
                "type": 1}
        if options:
            data["options"] = options
        if resolved:
            data["resolved"] = resolved
        payload = self._payload(guild_id, user_id, app_permissions, member_permissions, channel_id,
                                locale, user_installed)
        registered = self._check_visible(command, payload)
        if registered is not None:
            data["id"] = registered["id"]  # DOCS/rr: the id of the invoked command
        payload.update(type=2, data=data)
        return self._register(payload, user_installed)

    def _payload(self, guild_id, user_id, app_permissions, member_permissions, channel_id, locale,
                 user_installed) -> dict:
        """What every interaction carries: ids, a token, and where and by whom it was sent."""
        st = self.state
        user = st.users[str(user_id)]
        iid = st.ids.next()
        raw = f"interaction:{iid}:{secrets.token_urlsafe(48)}".encode()
        token = base64.urlsafe_b64encode(raw).decode().rstrip("=")
        payload = {
            "id": iid, "application_id": self.application_id, "token": token,
            "version": 1, "locale": locale, "entitlements": [],
            "attachment_size_limit": 10485760,
        }
        if guild_id is None:
            payload.update(self._dm_fields(user, app_permissions, user_installed))
        else:
            payload.update(self._guild_fields(st.guild(guild_id), user, app_permissions,
                                              member_permissions, channel_id, user_installed))
        return payload

    def _dm_fields(self, user, app_permissions, user_installed) -> dict:
        channel_id = self.dm_channels.setdefault(user.id, self.state.ids.next())
        # DOCS/rr "Authorizing Integration Owners Object": "0" is "0" in a DM with the bot.
        owners = {"0": "0", **({"1": user.id} if user_installed else {})}
        return dict(channel_id=channel_id, user=user.to_json(), context=1,
                    channel={"id": channel_id, "type": 1}, authorizing_integration_owners=owners,
                    app_permissions=str(DM_APP_PERMISSIONS if app_permissions is None
                                        else int(app_permissions)))

    def _guild_fields(self, guild, user, app_permissions, member_permissions, channel_id,
                      user_installed) -> dict:
        """`member.permissions` and `app_permissions` are computed in the invoking channel,
        overwrites included (DOCS/rr "Interaction Object": app_permissions are the app's
        "permissions ... in the source location"; DOCS/guild "Guild Member Object":
        permissions "of the member in the channel, including overwrites")."""
        st = self.state
        channel = st.channel(channel_id) if channel_id else st.first_text_channel(guild)
        if channel.guild_id != guild.id:
            raise ValueError(f"channel {channel.id} is not in guild {guild.id}")
        member = st.member(guild, user.id)
        owners = {}
        if st.has_bot(guild):
            owners["0"] = guild.id
        elif not user_installed:
            raise ValueError(f"the app is not installed in guild {guild.id} (the bot is not a "
                             "member): Discord sends nothing; pass user_installed=True for a "
                             "user-installed invocation")
        if user_installed:
            owners["1"] = user.id
        if member_permissions is None:
            member_permissions = channel_permissions(guild, member, channel)
        if app_permissions is None:
            app_permissions = self._app_permissions(guild, channel)
        member_json = member.to_json(user)
        member_json["permissions"] = str(int(member_permissions))
        # Interaction payloads are not obfuscated (changelog "Channel Obfuscation for Users
        # and Bots"): the full channel, whatever the bot may see.
        channel_json = channel.to_json()
        channel_json["permissions"] = member_json["permissions"]
        return dict(guild_id=guild.id, guild_locale="en-US", member=member_json, context=0,
                    channel_id=channel.id, channel=channel_json,
                    guild={"id": guild.id, "locale": "en-US", "features": guild.to_json()["features"]},
                    authorizing_integration_owners=owners, app_permissions=str(int(app_permissions)))

    def _app_permissions(self, guild, channel) -> int:
        """The bot's permissions in the channel; for an app whose bot is not in the guild,
        @everyone's there limited to what a response can use (changelog "Interaction
        app_permissions": "ATTACH_FILES, EMBED_LINKS, MENTION_EVERYONE, and
        USE_EXTERNAL_EMOJIS")."""
        if self.state.has_bot(guild):
            return channel_permissions(guild, self.state.bot_member(guild), channel)
        everyone = channel_permissions(guild, Member("0", []), channel)
        return everyone & APP_WITHOUT_BOT_PERMISSIONS

    def _check_visible(self, command: str, payload: dict) -> dict | None:
        """The registered command, once checked that Discord would offer it here (see
        command_visibility); None when the bot never registered it in the emulator."""
        found = registered_command(self.commands, command, payload.get("guild_id"))
        if found is None:
            return None
        registered, guild_scoped = found
        owners = supported_owners(registered, guild_scoped, payload["authorizing_integration_owners"])
        if not owners:
            raise CommandUnavailable(
                f"/{command} supports installation contexts {registered.get('integration_types')}, "
                f"none of which authorised this invocation {payload['authorizing_integration_owners']}")
        payload["authorizing_integration_owners"] = owners
        member = payload.get("member")
        refuse_unless_usable(registered, payload["context"],
                             int(member["permissions"]) if member else None)
        return registered

    def _register(self, payload: dict, user_installed: bool) -> dict:
        interaction = Interaction(payload["id"], payload["token"], payload.get("guild_id"),
                                  payload["channel_id"], (payload.get("member") or payload)["user"]["id"],
                                  user_installed=user_installed)
        self.by_token[payload["token"]] = interaction
        self.by_id[payload["id"]] = interaction
        return payload

    def click(self, source_token: str, user_id, custom_id: str, app_permissions=None,
              member_permissions=None) -> dict:
        """A MESSAGE_COMPONENT payload: `user_id` clicked button `custom_id` on the original
        message of the interaction `source_token`. Answering it with type 7 (UPDATE_MESSAGE)
        edits that message, and so do later edits of the new interaction's @original."""
        source = self.by_token[source_token]
        message = source.original
        if message is None or message.deleted:
            raise ValueError("the message was deleted (or never sent): nobody can click it")
        buttons = [c.get("custom_id") for row in message.components for c in row.get("components", [])]
        if custom_id not in buttons:
            raise ValueError(f"the message has no button {custom_id!r} (it has {buttons})")
        payload = self._payload(source.guild_id, user_id, app_permissions, member_permissions,
                                source.channel_id, "en-US", source.user_installed)
        payload.update(type=3, data={"custom_id": custom_id, "component_type": 2},
                       message=message.to_json())
        self._register(payload, source.user_installed)
        clicked = self.by_token[payload["token"]]
        clicked.original, clicked.history = message, source.history  # one message, one history
        clicked.type = MESSAGE_COMPONENT
        return payload

    def click_channel_message(self, channel_id: str, message_id: str, user_id, custom_id: str) -> dict:
        """A MESSAGE_COMPONENT payload: `user_id` clicked button `custom_id` on a message posted in
        a channel (not an interaction's reply). Its `message` is the clicked message, and Update
        Message (type 7) or an edit of the new interaction's @original edits that message
        (DOCS/rr "Interaction Callback Type": UPDATE_MESSAGE "edit the message the component was
        attached to"). A member who can't view the channel can't see the message, so can't click
        it: ValueError, as for a deleted message or a button it doesn't have."""
        st = self.state
        channel = st.channel(channel_id)
        message = next((m for m in st.messages.get(channel.id, []) if m.id == str(message_id)), None)
        if message is None or message.deleted:
            raise ValueError("the message was deleted (or never sent): nobody can click it")
        if not st.visible_to(channel, str(user_id)):
            raise ValueError("the member can't view the channel, so can't see the message")
        buttons = [c.get("custom_id") for row in message.components for c in row.get("components", [])]
        if custom_id not in buttons:
            raise ValueError(f"the message has no button {custom_id!r} (it has {buttons})")
        payload = self._payload(channel.guild_id, user_id, None, None, channel.id, "en-US", False)
        payload.update(type=3, data={"custom_id": custom_id, "component_type": 2},
                       message=message.to_json())
        self._register(payload, False)
        clicked = self.by_token[payload["token"]]
        clicked.original, clicked.type = message, MESSAGE_COMPONENT
        return payload

    def autocomplete(self, guild_id, user_id, command, options, **create_args) -> dict:
        """An APPLICATION_COMMAND_AUTOCOMPLETE payload (DOCS/ac "Autocomplete"): the options
        typed so far, one of them (possibly inside a subcommand) with `"focused": true`. It is
        answered with type 8 (choices) only."""
        if not _has_focused(options or []):
            raise ValueError('an autocomplete interaction needs one option with "focused": true')
        payload = self.create(guild_id, user_id, command, options, **create_args)
        payload["type"] = APPLICATION_COMMAND_AUTOCOMPLETE
        self.by_token[payload["token"]].type = APPLICATION_COMMAND_AUTOCOMPLETE
        return payload

    def delete_original_by_moderator(self, token: str) -> None:
        """A moderator deletes @original in the client; it is gone for every interaction
        that shares it (a click's @original is the clicked message)."""
        interaction = self.by_token[token]
        if interaction.original is None or interaction.original.deleted:
            raise ValueError("there is no original message to delete")
        interaction.original.deleted = True

    def acknowledge(self, token: str, response) -> None:
        """Record the bot's inline HTTP reply; AcknowledgedTooLate after the 3 s deadline."""
        interaction = self.by_token.get(token)
        if interaction is None:
            raise ValueError(f"no interaction with token {token[:12]}...")
        if interaction.acknowledged:
            raise ValueError("Interaction has already been acknowledged (40060)")
        if self._too_late(interaction):
            late = time.monotonic() - interaction.created
            raise AcknowledgedTooLate(
                f"acknowledged {late:.2f} s after create_interaction(), deadline {self.ack_deadline} s; "
                "the token is now invalid (set emu.ack_deadline = None to turn the check off)")
        try:
            response = parse_response(response)
            validation.check_interaction_response(response, interaction.type)
            self._ack(interaction, response)
        except ApiError as exc:
            raise ValueError(f"Discord would reject this response: {exc.body()}") from None

    def callback(self, interaction_id: str, token: str, body: dict, with_response: bool = False,
                 uploads=()) -> dict | None:
        """POST /interactions/{id}/{token}/callback, the REST way of acknowledging. The body
        was validated by the server's form validation before this runs. None (204) unless
        `with_response`: then the interaction callback response (DOCS/rr "Create Interaction
        Response": "Returns 204 unless with_response is set to true which returns 200 with
        the body as interaction callback response")."""
        interaction = self.by_id.get(interaction_id)
        if interaction is None or interaction.token != token or interaction.status != "active":
            raise errors.unknown("interaction")
        if interaction.acknowledged:
            raise ApiError(400, 40060, "Interaction has already been acknowledged.")
        if self._too_late(interaction):
            raise errors.unknown("interaction")
        self._ack(interaction, body, tuple(uploads))
        return self._callback_response(interaction, body.get("type")) if with_response else None

    @staticmethod
    def _callback_response(interaction: Interaction, kind: int) -> dict:
        """DOCS/rr "Interaction Callback Response Object": the interaction (id, type, the
        response message's id, loading and ephemeral state) and, for types 4 and 7, the
        resource: the message created or updated ("Only present if type is either
        CHANNEL_MESSAGE_WITH_SOURCE or UPDATE_MESSAGE")."""
        data = {"id": interaction.id, "type": interaction.type}
        message = interaction.original if kind in (4, 5, 7) else None
        if message is not None:
            data.update(response_message_id=message.id,
                        response_message_loading=bool(message.flags & LOADING),
                        response_message_ephemeral=bool(message.flags & EPHEMERAL))
        answer = {"interaction": data}
        if kind in (4, 7) and message is not None:
            answer["resource"] = {"type": kind, "message": message.to_json()}
        return answer

    def _too_late(self, interaction: Interaction) -> bool:
        if self.ack_deadline is not None and time.monotonic() - interaction.created > self.ack_deadline:
            interaction.status = "forgotten"
            return True
        return False

    def _ack(self, interaction: Interaction, response: dict, uploads=()) -> None:
        """Apply a validated response (validation.interaction_responses decides which types
        and fields are allowed for this interaction); `uploads` are its files (types 4 and 7)."""
        kind = response.get("type")
        data = response.get("data") or {}
        if kind == 8:
            interaction.autocomplete_choices = list(data.get("choices") or [])
        elif kind == 9:
            interaction.modal = dict(data)
        elif kind in (6, 7):
            if interaction.original is not None and interaction.original.deleted:
                raise errors.unknown("message")
            # Component answers: 6 defers an edit, 7 edits the clicked message now (DOCS/rr).
            if kind == 7:
                self._update_clicked(interaction, data, uploads)
        elif kind in (4, 5):
            self._reply(interaction, kind, data, uploads)
        else:
            raise errors.form_error("type", "BASE_TYPE_CHOICES", "Value must be one of {4, 5, 6, 7, 8, 9}.")
        interaction.acknowledged = True

    def _update_clicked(self, interaction: Interaction, data: dict, uploads=()) -> None:
        message = interaction.original
        if message is None:  # the clicked message was deleted meanwhile
            raise errors.unknown("message")
        message.attachments = self._attach(message, data, uploads)
        fields = message_fields(data)
        message.content = fields.get("content", message.content)
        message.components = fields.get("components", message.components)
        message.allowed_mentions = fields.get("allowed_mentions")
        message.edited_timestamp = iso_now()
        interaction.history.append(message.content)

    def _attach(self, message: Message, body: dict, uploads) -> list[dict]:
        """The message's attachments after `body` and its files (uploads.attach)."""
        ephemeral = bool(message.flags & EPHEMERAL)
        return attach(body, tuple(uploads), message.attachments,
                      lambda upload: self.attachments.publish(upload, message.channel_id, ephemeral))

    def _reply(self, interaction: Interaction, kind: int, data: dict, uploads=()) -> None:
        message = Message(self.state.ids.next(), interaction.channel_id, self.state.bot,
                          webhook_id=self.application_id)
        if kind == 5:
            # DOCS/rr: only EPHEMERAL may be set on a deferred reply; the user sees "thinking".
            message.flags = (data.get("flags") or 0) & EPHEMERAL | LOADING
        else:
            for key, value in message_fields(data).items():
                setattr(message, key, value)
            message.flags &= RESPONSE_FLAGS
            message.attachments = self._attach(message, data, uploads)
            refuse_if_empty(message)
            interaction.history.append(message.content)
        interaction.original = message

    def expire(self, token: str) -> None:
        self.by_token[token].status = "expired"

    def forget(self, token: str) -> None:
        self.by_token[token].status = "forgotten"

    # -- webhook routes -------------------------------------------------------------------

    def lookup(self, application_id: str, token: str) -> Interaction:
        interaction = self.by_token.get(token)
        if interaction is None or application_id != self.application_id:
            raise errors.unknown("webhook")
        if interaction.status == "active" and time.monotonic() - interaction.created > self.token_lifetime:
            interaction.status = "expired"
        if interaction.status == "expired":
            raise errors.invalid_webhook_token()
        if interaction.status == "forgotten":
            raise errors.unknown("webhook")
        return interaction

    def _message(self, interaction: Interaction, message_id: str) -> Message:
        if message_id == "@original":
            message = interaction.original
        else:
            message = interaction.followups.get(message_id)
        # DOCS/codes 10008 Unknown message: never sent, or deleted by the bot or a moderator.
        if message is None or message.deleted:
            raise errors.unknown("message")
        return message

    def get_message(self, application_id, token, message_id) -> dict:
        interaction = self.lookup(application_id, token)
        return self._message(interaction, message_id).to_json()

    def edit_message(self, application_id, token, message_id, body: dict, uploads=()) -> dict:
        """DOCS/ref "Editing Message Attachments": "Any previously-added files that aren't
        included [in `attachments`] will be removed"."""
        interaction = self.lookup(application_id, token)
        message = self._message(interaction, message_id)
        fields = message_fields(body)
        content = fields.get("content", message.content)
        embeds = fields.get("embeds", message.embeds)
        components = fields.get("components", message.components)
        attachments = self._attach(message, body, uploads)
        if is_empty(content, embeds, components, attachments):
            raise ApiError(400, 50006, "Cannot send an empty message")
        message.content, message.embeds, message.components = content, embeds, components
        message.attachments = attachments
        # DOCS/rr: an existing message's ephemeral state cannot change; editing ends "thinking".
        flags = fields.get("flags", message.flags)
        message.flags = (message.flags & EPHEMERAL) | (flags & EDITABLE_FLAGS)
        # Without allowed_mentions in the edit, Discord parses with defaults, so record its absence.
        message.allowed_mentions = fields.get("allowed_mentions")
        message.edited_timestamp = iso_now()
        if message is interaction.original:
            interaction.history.append(message.content)
        return message.to_json()

    def delete_message(self, application_id, token, message_id) -> None:
        interaction = self.lookup(application_id, token)
        message = self._message(interaction, message_id)
        message.deleted = True
        if message is not interaction.original:
            del interaction.followups[message.id]

    def followup(self, application_id, token, body: dict, uploads=()) -> dict:
        interaction = self.lookup(application_id, token)
        if not interaction.acknowledged:
            raise errors.unknown("webhook")
        fields = message_fields(body)
        fields["flags"] = fields.get("flags", 0) & RESPONSE_FLAGS
        message = Message(self.state.ids.next(), interaction.channel_id, self.state.bot,
                          webhook_id=self.application_id, **fields)
        message.attachments = self._attach(message, body, uploads)
        refuse_if_empty(message)
        interaction.followups[message.id] = message
        return message.to_json()


def _has_focused(options: list) -> bool:
    return any(isinstance(o, dict) and (o.get("focused") is True or _has_focused(o.get("options") or []))
               for o in options)
