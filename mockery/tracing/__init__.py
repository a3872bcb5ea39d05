"""Traces: every answer of a fake service is a span of the dev stack's distributed trace (OpenTelemetry, OTLP).

This package is imported by the request path and imports nothing of OpenTelemetry: ``context.py`` holds the
span of the request being answered (``None`` when tracing is off, which is all the request path checks) and
``settings.py`` decides whether tracing is on. When it is, ``spans.py`` records spans cheaply on the event
loop (``w3c.py``: trace context and sampling) and one thread encodes them (``otlp.py``) and sends them
(``export.py``). ``otel.py`` is the one module that imports OpenTelemetry (the ``mockery[otel]`` extra: its
SDK makes each service's resource); the server imports it only when tracing is on.
"""
