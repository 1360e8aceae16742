"""Publish: the lock-free published copy for readers and the frozen publication of closed periods."""
