"""The workers beside the update pipeline: the outbox sender, reminders and broadcasts."""
