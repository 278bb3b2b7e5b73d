"""A Refusal raised anywhere under a handler is caught once, by the interactions dispatcher, and
becomes the asker's ephemeral answer (autocomplete: no suggestions)."""

from channelwright import interactions
from channelwright.commands.definitions import campaign_name
from channelwright.text.problems import Problem, Refusal

PROBLEM = Problem("You can't do that.", "Because.", "Do something else.")


def refusing(invocation, deps):
    raise Refusal(PROBLEM)


def test_a_refusal_becomes_the_ephemeral_answer():
    answer = interactions.dispatch(refusing, None, None)
    assert answer["type"] == 4
    assert answer["data"]["flags"] == 64
    assert answer["data"]["content"] == PROBLEM.text()


def test_a_refused_autocomplete_offers_nothing():
    assert interactions.dispatch(refusing, None, None, autocompleting=True) == \
        {"type": 8, "data": {"choices": []}}


def test_a_refused_campaign_name_raises_with_the_words_users_read():
    try:
        campaign_name("   ")
    except Refusal as refused:
        assert refused.text().startswith("❌ **That campaign name is empty.**")
    else:
        raise AssertionError("an empty name was accepted")
    assert campaign_name("  Curse   of Strahd ") == "Curse of Strahd"
