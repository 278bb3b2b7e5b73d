"""A campaign's layout as a template file: YAML that `/campaign-template import` accepts.

The layout is the campaign's recorded channels in its plan's order, each under the name Discord
shows now (a GM may have renamed it), its type and its access mode as planned. A channel
deleted by hand is left out (and named, so the user knows); one hidden from the bot keeps the name
it was made with; one not built yet keeps its planned name. A collapsed campaign (archive mode
collapse: campaigns/collapse.py) exports the layout it had before the collapse, from the snapshot
the collapse took: the collapse itself deleted its channels and renamed the ones holding the
transcript, and /unarchive-campaign rebuilds that layout. The file is read back with the import's
own parser before it is offered (files.parse_template_file), so what is exported always imports.

Only the worker exports: this module (and PyYAML) loads on first use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from channelwright.campaigns.archive import COLLAPSE
from channelwright.campaigns.channel_presence import Presence
from channelwright.campaigns.plan import CHANNEL, ChannelSpec, Step, Template
from channelwright.campaigns.store import Campaign
from channelwright.templates.files import parse_template_file
from channelwright.templates.library import builtin_ids, template_to_dict
from channelwright.templates.schema import ID_MAX, TITLE_MAX
from channelwright.text.names import clip

_NOT_ID = re.compile(r"[^a-z0-9]+")
FALLBACK_ID = "campaign"


@dataclass(frozen=True)
class Export:
    """`template`: the layout; `file_text`: it as YAML (UTF-8 when saved); `filename`: a name to
    save it under; `left_out`: names of recorded channels deleted by hand."""

    template: Template
    file_text: str
    filename: str
    left_out: tuple[str, ...]


class NothingToExport(Exception):
    """Every channel the campaign recorded was deleted by hand: a template needs at least one."""


def template_id(campaign_name: str) -> str:
    """An id the schema accepts and no built-in holds: the name's ASCII letters and digits,
    lower-cased, other runs made one hyphen, at most ID_MAX characters ("Curse of Strahd" ->
    "curse-of-strahd"); "campaign" when nothing is left, "<id>-campaign" for a built-in's id."""
    slug = _NOT_ID.sub("-", campaign_name.lower()).strip("-")[:ID_MAX].strip("-") or FALLBACK_ID
    if slug in builtin_ids():
        slug = f"{slug[:ID_MAX - len(FALLBACK_ID) - 1]}-{FALLBACK_ID}"
    return slug


def export(campaign: Campaign, presence: Presence) -> Export:
    """The campaign's layout, given what the server holds now (channel_presence.survey over its
    recorded channel ids). NothingToExport if no channel is left; TemplateInvalid if the file
    would not import."""
    channels, left_out = [], []
    before = _before_collapse(campaign)
    for step in (Step.from_dict(s) for s in campaign.plan):
        if step.kind != CHANNEL:
            continue
        if step.key in before:
            channels.append(ChannelSpec(str(before[step.key]["name"]), step.channel_type, step.access))
            continue
        resource = campaign.resources.get(step.key) or {}
        channel_id = resource.get("id")
        if channel_id in presence.gone:
            left_out.append(str(resource.get("name") or step.name))
            continue
        current = presence.channels.get(channel_id) if channel_id else None
        name = (current or {}).get("name") or resource.get("name") or step.name
        channels.append(ChannelSpec(str(name), step.channel_type, step.access))
    if not channels:
        raise NothingToExport(campaign.name)
    template = Template(template_id(campaign.name), clip(campaign.name, TITLE_MAX),
                        tuple(channels))
    text = yaml.safe_dump(template_to_dict(template), allow_unicode=True, sort_keys=False,
                          default_flow_style=None, width=1_000)
    filename = f"{template.id}.yaml"
    # The import's own reading: TemplateInvalid (its errors) if a channel renamed by hand broke a
    # rule, say two names now the same.
    parse_template_file(text.encode("utf-8"), filename)
    return Export(template, text, filename, tuple(left_out))


def _before_collapse(campaign: Campaign) -> dict[str, dict]:
    """The channels a collapse's snapshot recorded, by step key ({"name", ...} as they were
    before it); {} unless the campaign is collapsed or being collapsed or rebuilt."""
    snapshot = campaign.archive or {}
    return dict(snapshot.get("channels") or {}) if snapshot.get("mode") == COLLAPSE else {}
