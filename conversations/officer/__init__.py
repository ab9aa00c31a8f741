"""The officers' desk: find and move applications, and manage officers."""
