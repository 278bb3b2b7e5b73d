"""Listing a server's campaigns and templates reads every page of the DynamoDB query.

DynamoDB ends a Query page at 1 MB (or at `Limit` items) and names where to go on in
LastEvaluatedKey; a reader that stops at the first page silently loses the rest. Here each
request is held to one item (`Limit` set on every Query the client sends), so every item past
the first is on a later page.
"""

import pytest

from channelwright.aws import request_budget
from channelwright.campaigns.plan import ChannelSpec, Template
from channelwright.campaigns.store import Campaign, CampaignStore
from channelwright.templates.library import TemplateLibrary

GUILD = "1000000000000000001"


def _one_item_pages(client) -> list[int]:
    """Make every Query on `client` return at most one item; the items of each page, as sent."""
    pages: list[int] = []

    def one_item(params, **_):
        params["Limit"] = 1

    def counted(parsed, **_):
        pages.append(len(parsed.get("Items", [])))

    client.meta.events.register("provide-client-params.dynamodb.Query", one_item)
    client.meta.events.register("after-call.dynamodb.Query", counted)
    return pages


def _campaign(name: str, run: str) -> Campaign:
    return Campaign(guild_id=GUILD, key=name.lower(), name=name, template="default", plan=[],
                    interaction_id=run, interaction_token="token", requested_by="1",
                    requested_by_name="someone")


def test_a_servers_campaigns_come_from_every_page(aws):
    store = CampaignStore(aws.dynamodb, aws.table_name)
    for index, name in enumerate(["Curse", "Barovia", "Avernus"]):
        store.create(_campaign(name, f"{index + 2}000000000000000000"))
    pages = _one_item_pages(aws.dynamodb)

    assert [c.name for c in store.campaigns(GUILD)] == ["Avernus", "Barovia", "Curse"]
    assert store.find_by_run(GUILD, "4000000000000000000").name == "Avernus"  # on the last page
    assert pages[:3] == [1, 1, 1]


def test_a_servers_templates_come_from_every_page(aws):
    library = TemplateLibrary(aws.dynamodb, aws.table_name)
    for template_id in ("gamma", "alpha", "beta"):
        library.put(GUILD, Template(template_id, template_id.title(), (ChannelSpec("chat", "text"),)),
                    author_id="1")
    pages = _one_item_pages(aws.dynamodb)

    assert [t.id for t, builtin in library.available(GUILD) if not builtin] == ["alpha", "beta", "gamma"]
    assert pages[:3] == [1, 1, 1]


def test_each_page_is_a_request_the_request_path_budget_bounds(aws):
    """The request path's clients refuse an attempt that can't end in time (request_budget.py);
    a later page is such an attempt like any other call."""
    now = [0.0]
    client = request_budget.client("dynamodb", clock=lambda: now[0])
    store = CampaignStore(client, aws.table_name)
    for index, name in enumerate(["Curse", "Barovia"]):
        store.create(_campaign(name, f"{index + 2}000000000000000000"))
    pages = _one_item_pages(client)

    def late(**_):
        now[0] += request_budget.BUDGET_S  # each page takes the whole budget

    client.meta.events.register("after-call.dynamodb.Query", late)
    with request_budget.budget(clock=lambda: now[0]), pytest.raises(request_budget.BudgetSpent):
        store.campaigns(GUILD)
    assert pages == [1]  # the first page was read; the second was never sent
