"""Receiving and handling updates exactly once: inbox, units of work, lanes, reply queue.

receiver (store, then acknowledge) → dispatcher (a lane per chat) → handling (one update,
one transaction) → reply_sender (after the commit). See docs/ARCHITECTURE.md.
"""
