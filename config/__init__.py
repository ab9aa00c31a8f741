"""Settings (pydantic-settings) and logging set-up: built once at start-up and passed down."""
