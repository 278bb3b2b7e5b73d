"""Channelwright's Lambda runtime: the interactions endpoint and the campaign-building worker."""

__version__ = "0.1.0"
PROJECT_URL = "https://github.com/channelwright/channelwright"
