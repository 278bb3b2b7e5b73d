"""The whole bot against the Discord emulator and moto: the real handlers, wired like AWS does."""

import json

from channelwright.discord.rest import DiscordRest
from channelwright.discord.downloads import DownloadPolicy
from channelwright.aws.http import HttpRequest
from channelwright.interactions import Deps, respond
from channelwright.discord.signature import SignatureVerifier
from channelwright.campaigns.store import CampaignStore
from channelwright.tasks.queue import TaskQueue
from channelwright.templates.library import TemplateLibrary
from channelwright.worker import WorkerDeps, process_tasks
from channelwright_local.sqs_event_source import SqsEventSource
import discord_emulator as p
from discord_emulator.signing import InteractionSigner
from tests.support.aws import MAX_RECEIVE_COUNT


def emulator_cdn(emulator) -> DownloadPolicy:
    """Downloads allowed from the emulator's CDN (plain HTTP on 127.0.0.1), explicitly: the
    product's default allows only Discord's own CDN hosts over HTTPS."""
    scheme, _, rest = emulator.base_url.partition("://")
    return DownloadPolicy(origins=(f"{scheme}://{rest.split('/', 1)[0]}",))


# Enough for a whole campaign: the server-level permissions the end-to-end tests give the bot.
BOT_PERMISSIONS = (p.MANAGE_CHANNELS | p.MANAGE_ROLES | p.VIEW_CHANNEL | p.SEND_MESSAGES
                   | p.READ_MESSAGE_HISTORY | p.CONNECT | p.SPEAK | p.ADD_REACTIONS
                   | p.EMBED_LINKS | p.ATTACH_FILES)


class Bot:
    def __init__(self, aws, emulator, *, timeout=(1.0, 2.0)):
        self.aws, self.emulator = aws, emulator
        self.signer = InteractionSigner()
        self.store = CampaignStore(aws.dynamodb, aws.table_name)
        self.templates = TemplateLibrary(aws.dynamodb, aws.table_name)
        self.front = Deps(SignatureVerifier(self.signer.public_key_hex), self.store,
                          TaskQueue(aws.sqs, aws.queue_url), self.templates)
        self.rest = DiscordRest(emulator.base_url, emulator.bot_token, timeout=timeout)
        self.worker = WorkerDeps(rest=self.rest, store=self.store,
                                 application_id=emulator.application_id,
                                 max_receive_count=MAX_RECEIVE_COUNT, templates=self.templates,
                                 downloads=emulator_cdn(emulator))
        self.events = SqsEventSource(aws.sqs, aws.queue_url,
                                     lambda event, context: process_tasks(event, self.worker, context))

    def interact(self, payload: dict) -> dict:
        """Send a signed interaction the way Discord does, and let Discord see the answer."""
        event = self.signer.api_gateway_event(payload)
        response = respond(HttpRequest.from_api_gateway(event), self.front)
        assert response.status == 200, response.body
        body = json.loads(response.body)
        self.emulator.acknowledge(payload, body)
        return body

    def interact_raw(self, payload: dict) -> dict:
        """Send a signed interaction that Discord does not acknowledge (autocomplete)."""
        event = self.signer.api_gateway_event(payload)
        response = respond(HttpRequest.from_api_gateway(event), self.front)
        assert response.status == 200, response.body
        return json.loads(response.body)

    def add_campaign(self, guild_id, user_id, name="Curse of Strahd", **kwargs) -> dict:
        payload = self.emulator.create_interaction(
            guild_id, user_id, "add-campaign",
            options=[{"type": 3, "name": "name", "value": name}], **kwargs)
        self.interact(payload)
        return payload

    def run_worker(self, **kwargs):
        return self.events.drain(**kwargs)

    def campaign(self, guild_id, name="Curse of Strahd"):
        return self.store.get(guild_id, " ".join(name.split()).casefold())
