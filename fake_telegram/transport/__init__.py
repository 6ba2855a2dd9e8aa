"""Serving a world over HTTP: the Bot API routes, the ``/_fake/`` control API and webhook delivery."""

from .control import ControlApi
from .http import HttpTransport
from .webhook import WebhookDelivery

__all__ = ["ControlApi", "HttpTransport", "WebhookDelivery"]
