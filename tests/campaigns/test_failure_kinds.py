"""Which refusals a server's admin must fix (graphed as CampaignsRefused, never paged) and which
are the operator's (CampaignsFailed, paged). Codes from developers/topics/opcodes-and-status-codes.mdx."""

import pytest

from channelwright.text.problems import server_must_fix


@pytest.mark.parametrize(("status", "code", "detail"), [
    (403, 50013, ""),     # Missing Permissions: the bot's role lacks one, or sits too low
    (403, 50001, ""),     # Missing Access
    (400, 30013, ""),     # Maximum number of guild channels reached (500)
    (400, 30005, ""),     # Maximum number of guild roles reached (250)
    (404, 10004, ""),     # Unknown Guild: the bot was removed; re-invite it
    (400, 50035, '{"parent_id": {"_errors": [{"code": "CHANNEL_PARENT_MAX_CHANNELS"}]}}'),  # full category
    (403, None, ""),      # a 403 without a code is a permission refusal too
])
def test_refusals_the_server_admin_must_fix(status, code, detail):
    assert server_must_fix(status, code, detail)


@pytest.mark.parametrize(("status", "code", "detail"), [
    (401, 40001, ""),     # our token was refused
    (401, None, ""),
    (403, 40333, ""),     # Discord's edge blocked us
    (400, 50035, '{"name": {"_errors": [{"code": "BASE_TYPE_BAD_LENGTH"}]}}'),  # our request was invalid
    (404, 10003, ""),     # Unknown Channel: ours to handle
    (400, None, ""),
])
def test_refusals_that_are_the_operators_to_fix(status, code, detail):
    assert not server_must_fix(status, code, detail)
