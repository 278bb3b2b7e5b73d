"""Discord's API as the bot uses it: declared routes, the REST client and its rate limits, error
codes, channel and interaction types, permissions, snowflakes, signatures and the CDN. Nothing in
this package knows what a campaign is."""
