"""Callbacks and webhooks at runtime: rendered after an answer, delivered off the request path.

``journal.py`` keeps what happened to each delivery (thread-safe: tests wait on it from their own thread),
``signing.py`` signs bodies, ``dispatcher.py`` renders, checks targets, sends with retries and drains.
"""
