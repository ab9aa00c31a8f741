"""What a service raises when it will not do what was asked."""

from __future__ import annotations


class NotAllowed(Exception):
    """The actor may not do this (not an officer now, not an admin, not this citizen)."""
