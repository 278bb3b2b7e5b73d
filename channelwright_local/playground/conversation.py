"""Discord's part for the page: what a member does in the client, turned into the interaction
Discord would POST, signed with the application's key and sent to this bot's /interactions.

Shapes follow developers/interactions/receiving-and-responding.mdx ("Interaction Object",
"Application Command Interaction Data Option Structure", "Resolved Data Structure"):
  - option values keep their type: strings, integers, numbers, booleans; a user, role, channel
    or mentionable option is the snowflake as a string, with the object in `data.resolved`
    (`users` and, in a server, `members` without their `user`); an attachment option is the
    attachment's id with the object in `resolved.attachments`;
  - a subcommand is one option of type 1 holding the others;
  - a button press is a MESSAGE_COMPONENT interaction (type 3) carrying the message it is on,
    an interaction's reply or a message the bot posted in a channel (a GM channel's join
    request); only a member who can view that channel reads its messages, so only they can press
    its buttons (developers/topics/permissions.mdx "Permissions" table: VIEW_CHANNEL "includes
    reading messages in text channels"; "Implicit Permissions");
  - typing into an autocomplete option is an APPLICATION_COMMAND_AUTOCOMPLETE interaction
    (type 4) with the option being typed marked `"focused": true`.
"""

from __future__ import annotations

import base64
import json
import threading
from dataclasses import dataclass, field

import requests

from channelwright.commands.definitions import BY_NAME
from discord_emulator.signing import InteractionSigner

# developers/interactions/application-commands.mdx "Application Command Option Type".
SUB_COMMAND, SUB_COMMAND_GROUP, STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER, \
    ATTACHMENT = 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11
MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # the interaction's attachment_size_limit in the emulator


class PlaygroundError(ValueError):
    """Something the page asked that Discord's client would not let a member do."""


@dataclass
class Sent:
    """One interaction the page sent, and what the endpoint answered."""

    token: str
    interaction_id: str
    user_id: str
    kind: str  # "command" | "click"
    label: str  # "/add-campaign name:Curse of Strahd", "pressed Undo"
    status: int
    answer: dict | str
    channel_id: str
    source_token: str = ""  # for a click on a reply: the interaction whose message was clicked
    posted_id: str = ""  # for a click on a message posted in a channel: that message's id


@dataclass
class Conversation:
    discord: object  # EmulatedDiscord
    endpoint: str  # this bot's POST /interactions URL
    sent: list[Sent] = field(default_factory=list)
    attachments: dict[str, dict] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def _emu(self):
        return self.discord.emulator

    # -- what a member does -------------------------------------------------------------------

    def upload(self, filename: str, content_b64: str) -> dict:
        """A file attached in the command bar: put on the emulated CDN, which the bot's download
        policy accepts in local mode (TEMPLATE_DOWNLOAD_ORIGINS, discord_side.environment)."""
        try:
            content = base64.b64decode(content_b64, validate=True)
        except ValueError:
            raise PlaygroundError("the file's content is not base64") from None
        if not filename or "/" in filename or len(content) > MAX_UPLOAD_BYTES:
            raise PlaygroundError("a file needs a plain name and at most 10 MiB")
        attachment = self._emu.add_attachment(filename, content)
        with self.lock:
            self.attachments[attachment["id"]] = attachment
        return attachment

    def run(self, user_id: str, command: str, values: dict, subcommand: str | None = None) -> Sent:
        options, resolved = self.options(command, subcommand, values)
        payload = self._emu.create_interaction(self.discord.guild_id, self._member(user_id), command,
                                               options=options, resolved=resolved or None)
        shown = " ".join(f"{k}:{self._shown(v)}" for k, v in values.items() if v not in ("", None))
        return self._send(payload, user_id, "command",
                          f"/{command}{' ' + subcommand if subcommand else ''} {shown}".strip())

    def press(self, user_id: str, token: str, custom_id: str) -> Sent:
        source = self._find(token)
        try:
            payload = self._emu.click(token, self._member(user_id), custom_id)
        except (KeyError, ValueError) as error:
            raise PlaygroundError(str(error).strip("'\"")) from None
        return self._send(payload, user_id, "click", f"pressed {_label(payload, custom_id)}", source.token)

    def press_posted(self, user_id: str, channel_id: str, message_id: str, custom_id: str) -> Sent:
        """A press on a button of a message the bot posted in channel `channel_id`. PlaygroundError
        when the member can't view the channel (the client would not show them the message), or
        the message or button is not there."""
        user_id = self._member(user_id)
        channel = self._emu.channel(channel_id)
        if channel is None or channel.get("guild_id") != self.discord.guild_id:
            raise PlaygroundError("no such channel in the emulated server")
        if not self._emu.visible_to(channel_id, user_id):
            raise PlaygroundError(f"{self.discord.roster[user_id]} can't view #{channel['name']}, so "
                                  "Discord doesn't show them this message or its buttons")
        try:
            payload = self._emu.click_channel_message(channel_id, message_id, user_id, custom_id)
        except (KeyError, ValueError) as error:
            raise PlaygroundError(str(error).strip("'\"")) from None
        return self._send(payload, user_id, "click", f"pressed {_label(payload, custom_id)}",
                          posted_id=str(message_id))

    def suggest(self, user_id: str, command: str, values: dict, focused: str,
                subcommand: str | None = None) -> list[dict]:
        """The choices the bot offers while `focused` is being typed (type 8 answer)."""
        options, resolved = self.options(command, subcommand, values, focused=focused)
        payload = self._emu.create_autocomplete(self.discord.guild_id, self._member(user_id), command,
                                                options, resolved=resolved or None)
        status, answer = self._post(payload)
        if status != 200 or not isinstance(answer, dict) or answer.get("type") != 8:
            return []
        return list((answer.get("data") or {}).get("choices") or [])

    # -- shaping options as Discord does ------------------------------------------------------

    def options(self, command: str, subcommand: str | None, values: dict,
                focused: str | None = None) -> tuple[list[dict], dict]:
        definition = BY_NAME.get(command)
        if definition is None:
            raise PlaygroundError(f"no command /{command}")
        specs = definition.get("options") or []
        if any(o["type"] == SUB_COMMAND for o in specs):
            group = next((o for o in specs if o["type"] == SUB_COMMAND and o["name"] == subcommand), None)
            if group is None:
                raise PlaygroundError(f"/{command} needs one of: "
                                      + ", ".join(o["name"] for o in specs))
            inner, resolved = self._typed(group.get("options") or [], values, focused)
            return [{"type": SUB_COMMAND, "name": subcommand, "options": inner}], resolved
        return self._typed(specs, values, focused)

    def _typed(self, specs: list[dict], values: dict, focused: str | None) -> tuple[list[dict], dict]:
        options, resolved = [], {}
        for spec in specs:
            raw = values.get(spec["name"])
            if raw in (None, "") and spec["name"] != focused:
                if spec.get("required") and focused is None:
                    raise PlaygroundError(f"option {spec['name']} is required")
                continue
            if spec["name"] == focused:  # still being typed: always the text so far
                options.append({"type": spec["type"], "name": spec["name"], "value": str(raw or ""),
                                "focused": True})
                continue
            options.append({"type": spec["type"], "name": spec["name"],
                            "value": self._value(spec, raw, resolved)})
        return options, resolved

    def _value(self, spec: dict, raw, resolved: dict):
        kind = spec["type"]
        try:
            if kind == INTEGER:
                return int(raw)
            if kind == NUMBER:
                return float(raw)
        except (TypeError, ValueError):
            raise PlaygroundError(f"option {spec['name']} takes a number") from None
        if kind == BOOLEAN:
            return raw in (True, "true", "True", "1", 1)
        if kind in (USER, MENTIONABLE):
            user_id = self._member(str(raw))
            resolved.setdefault("users", {})[user_id] = self._user(user_id)
            resolved.setdefault("members", {})[user_id] = self._partial_member(user_id)
            return user_id
        if kind in (CHANNEL, ROLE):
            return (self._channel if kind == CHANNEL else self._role)(spec, str(raw), resolved)
        if kind == ATTACHMENT:
            attachment = self.attachments.get(str(raw))
            if attachment is None:
                raise PlaygroundError(f"option {spec['name']}: upload a file first")
            resolved.setdefault("attachments", {})[attachment["id"]] = dict(attachment)
            return attachment["id"]
        return str(raw)

    def _channel(self, spec: dict, channel_id: str, resolved: dict) -> str:
        """resolved.channels: "Partial Channel objects only have id, name, type and permissions
        fields" (receiving-and-responding.mdx "Resolved Data Structure"; parent_id too), of a type
        the option's `channel_types` allows (application-commands.mdx)."""
        channel = self._emu.channel(channel_id)
        allowed = spec.get("channel_types")
        if channel is None or channel.get("guild_id") != self.discord.guild_id or (
                allowed and channel["type"] not in allowed):
            raise PlaygroundError(f"option {spec['name']}: no such channel to pick")
        resolved.setdefault("channels", {})[channel_id] = {
            "id": channel_id, "name": channel["name"], "type": channel["type"],
            "parent_id": channel.get("parent_id"), "permissions": "0"}
        return channel_id

    def _role(self, spec: dict, role_id: str, resolved: dict) -> str:
        """resolved.roles: the role objects (receiving-and-responding.mdx "Resolved Data Structure")."""
        role = next((r for r in self._emu.guild_roles(self.discord.guild_id) if r["id"] == role_id), None)
        if role is None:
            raise PlaygroundError(f"option {spec['name']}: no role {role_id} in the emulated server")
        resolved.setdefault("roles", {})[role_id] = role
        return role_id

    def _member(self, user_id: str) -> str:
        if str(user_id) not in self.discord.roster:
            raise PlaygroundError(f"no member {user_id} in the emulated server")
        return str(user_id)

    def _user(self, user_id: str) -> dict:
        """The user object (developers/resources/user.mdx "User Object")."""
        user = {"id": user_id, "username": self.discord.roster[user_id], "global_name": None,
                "discriminator": "0", "avatar": None, "public_flags": 0}
        if user_id == self._emu.bot_user_id:
            user["bot"] = True
        return user

    def _partial_member(self, user_id: str) -> dict:
        """resolved.members: "Partial Member objects are missing user, deaf and mute fields"
        (receiving-and-responding.mdx "Resolved Data Structure")."""
        return {"roles": self._emu.member_role_ids(self.discord.guild_id, user_id), "nick": None,
                "avatar": None, "premium_since": None, "pending": False, "flags": 0,
                "communication_disabled_until": None}

    def _shown(self, value) -> str:
        value = str(value)
        if value in self.discord.roster:
            return "@" + self.discord.roster[value]
        if value in self.attachments:
            return self.attachments[value]["filename"]
        return value

    # -- sending ------------------------------------------------------------------------------

    def _send(self, payload: dict, user_id: str, kind: str, label: str, source_token: str = "",
              posted_id: str = "") -> Sent:
        status, answer = self._post(payload)
        sent = Sent(payload["token"], payload["id"], user_id, kind, label, status, answer, payload["channel_id"],
                    source_token, posted_id)
        with self.lock:
            self.sent.append(sent)
        return sent

    def _post(self, payload: dict) -> tuple[int, dict | str]:
        body = json.dumps(payload).encode()
        signer = InteractionSigner(self.discord.key)
        response = requests.post(self.endpoint, data=body, headers=signer.headers(body), timeout=30)
        try:
            return response.status_code, response.json()
        except ValueError:
            return response.status_code, response.text

    def _find(self, token: str) -> Sent:
        with self.lock:
            found = next((s for s in self.sent if s.token == token), None)
        if found is None:
            raise PlaygroundError("that message was not sent to this page")
        return found


def _label(payload: dict, custom_id: str) -> str:
    """The pressed button's label, as the client shows it (its custom_id if it has none)."""
    return next((c.get("label") for row in payload["message"].get("components", [])
                 for c in row.get("components", []) if c.get("custom_id") == custom_id), custom_id)
