"""The application: consent, contact, identity, business, documents, submission."""

from conversations.application.conversation import build

__all__ = ["build"]
