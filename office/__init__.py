"""The office's tools: bank-report import, export and statistics (CLI and officer menu)."""
