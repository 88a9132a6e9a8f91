"""The kinds of planning run the platform offers (night-bus design, dispatch scenarios, siting...).

A kind is declared once, in a hooks module, with the form that collects its parameters and the
function that computes it from plain data with ``sharingcity.planning``. This app only queues,
tracks, stores and shows runs; it knows nothing of the mathematics."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms

#: progress(fraction in [0, 1], message) — raises RunCancelled when the planner cancelled the run
Progress = Callable[[float, str], None]


class RunCancelled(Exception):
    pass


@dataclass
class Artifact:
    name: str  # file name, e.g. "network.gtfs.zip"
    content: bytes
    content_type: str
    label: Any = ""
    inline: bool = False  # an image to show on the run page


@dataclass
class RunResult:
    summary: dict[str, Any]  # headline figures, shown and compared side by side
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    artifacts: list[Artifact] = field(default_factory=list)


@dataclass(frozen=True)
class RunKind:
    key: str
    label: Any
    description: Any
    form: type[forms.Form]
    execute: Callable[[dict[str, Any], Progress], RunResult]
    summary_labels: dict[str, Any] = field(default_factory=dict)


_KINDS: dict[str, RunKind] = {}


def register_run_kind(kind: RunKind) -> RunKind:
    _KINDS[kind.key] = kind
    return kind


def run_kinds() -> list[RunKind]:
    return sorted(_KINDS.values(), key=lambda k: str(k.label))


def run_kind(key: str) -> RunKind | None:
    return _KINDS.get(key)
