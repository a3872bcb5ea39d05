"""Request metrics of a server, written in the Prometheus text exposition format (version 0.0.4).

Counting is a dictionary update per request on the server's loop; formatting happens only when scraped.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

Snapshot = dict[str, list[list[Any]]]
Totals = tuple[
    list[tuple[tuple[str, str, str], int]],
    list[tuple[tuple[str, str], tuple[list[int], int, float]]],
]

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# Seconds. A mock answers in well under a millisecond unless a delay or a slow template says otherwise.
LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


@dataclass(slots=True)
class _Histogram:
    buckets: list[int] = field(default_factory=lambda: [0] * len(LATENCY_BUCKETS))
    count: int = 0
    total: float = 0.0

    def observe(self, seconds: float) -> None:
        index = bisect.bisect_left(LATENCY_BUCKETS, seconds)
        if index < len(self.buckets):
            self.buckets[index] += 1
        self.count += 1
        self.total += seconds


class Metrics:
    """Requests by service, route and status, and a latency histogram by service and route."""

    def __init__(self) -> None:
        self._requests: dict[tuple[str, str, str], int] = {}
        self._latency: dict[tuple[str, str], _Histogram] = {}
        self._lock = threading.Lock()

    def observe(self, service: str, route: str, status: int, seconds: float) -> None:
        """Count one answered request."""
        key = (service, route, str(status))
        with self._lock:
            self._requests[key] = self._requests.get(key, 0) + 1
            histogram = self._latency.get((service, route))
            if histogram is None:
                histogram = self._latency[(service, route)] = _Histogram()
            histogram.observe(seconds)

    def clear(self) -> None:
        with self._lock:
            self._requests.clear()
            self._latency.clear()

    def snapshot(self) -> Snapshot:
        """The counts so far as JSON-ready data: what a worker shares with the others (``merge`` adds them up)."""
        with self._lock:
            return {
                "requests": [[*key, count] for key, count in self._requests.items()],
                "latency": [[*key, list(h.buckets), h.count, h.total] for key, h in self._latency.items()],
            }

    def totals(self) -> Totals:
        """``(requests, latency)``, sorted: what ``render`` writes (a shared server's are every worker's)."""
        with self._lock:
            requests = sorted(self._requests.items())
            latency = sorted((key, (list(h.buckets), h.count, h.total)) for key, h in self._latency.items())
        return requests, latency

    def render(self, *, journal_size: int, journal_capacity: int, generation: int) -> str:
        """Every metric as Prometheus text."""
        requests, latency = self.totals()
        lines = [
            "# HELP mockery_requests_total Requests answered, by service, route and status.",
            "# TYPE mockery_requests_total counter",
        ]
        for (service, route, status), count in requests:
            labels = _labels(service=service, route=route, status=status)
            lines.append(f"mockery_requests_total{labels} {count}")
        lines += [
            "# HELP mockery_request_duration_seconds Time from the request's arrival to its answer.",
            "# TYPE mockery_request_duration_seconds histogram",
        ]
        for (service, route), (buckets, count, total) in latency:
            cumulative = 0
            for bound, bucket in zip(LATENCY_BUCKETS, buckets, strict=True):
                cumulative += bucket
                labels = _labels(service=service, route=route, le=_number(bound))
                lines.append(f"mockery_request_duration_seconds_bucket{labels} {cumulative}")
            labels = _labels(service=service, route=route, le="+Inf")
            lines.append(f"mockery_request_duration_seconds_bucket{labels} {count}")
            labels = _labels(service=service, route=route)
            lines.append(f"mockery_request_duration_seconds_count{labels} {count}")
            lines.append(f"mockery_request_duration_seconds_sum{labels} {_number(total)}")
        lines += [
            "# HELP mockery_journal_requests Requests held in the journal now.",
            "# TYPE mockery_journal_requests gauge",
            f"mockery_journal_requests {journal_size}",
            "# HELP mockery_journal_capacity Requests the journal keeps at most.",
            "# TYPE mockery_journal_capacity gauge",
            f"mockery_journal_capacity {journal_capacity}",
            "# HELP mockery_spec_generation Spec versions loaded: 1 at start, one more per successful reload.",
            "# TYPE mockery_spec_generation gauge",
            f"mockery_spec_generation {generation}",
        ]
        return "\n".join(lines) + "\n"

    def __repr__(self) -> str:
        return f"Metrics({sum(self._requests.values())} requests)"


def merge(snapshots: Iterable[Snapshot]) -> Totals:
    """The totals of several ``Metrics.snapshot()``s (one per worker), as ``Metrics.totals`` gives them."""
    requests: dict[tuple[str, str, str], int] = {}
    latency: dict[tuple[str, str], _Histogram] = {}
    for snapshot in snapshots:
        for service, route, status, count in snapshot["requests"]:
            key = (service, route, status)
            requests[key] = requests.get(key, 0) + count
        for service, route, buckets, count, total in snapshot["latency"]:
            histogram = latency.setdefault((service, route), _Histogram())
            histogram.buckets = [mine + theirs for mine, theirs in zip(histogram.buckets, buckets, strict=True)]
            histogram.count += count
            histogram.total += total
    return sorted(requests.items()), sorted((key, (h.buckets, h.count, h.total)) for key, h in latency.items())


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _labels(**labels: str) -> str:
    return "{" + ",".join(f'{name}="{_escape(value)}"' for name, value in labels.items()) + "}"


def _number(value: float) -> str:
    return repr(float(value))
