"""Errors every service may raise."""

from __future__ import annotations


class NotAllowed(Exception):
    """The actor may not do this (not an officer now, not the owner of the record)."""
