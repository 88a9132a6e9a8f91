"""What each app contributes to the platform, declared in its ``hooks.py`` and read here.

Core (and insights) never import an app by name: they read these registries instead, so a new
app plugs in without edits elsewhere (Wagtail's hooks, Decidim's manifests)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class NavItem:
    label: Any  # a lazy translation
    url_name: str
    order: int = 100
    visible: Callable[[Any], bool] = lambda user: True


@dataclass(frozen=True)
class Metric:
    """A number the bureau follows; ``compute(start, end, district_code)`` returns a value or rows."""

    key: str
    label: Any
    compute: Callable[..., Any]
    app: str = ""
    unit: str = ""
    #: How a dashboard draws it: "value" (one number), "bars" (rows of ``label``/``value``),
    #: "lines" (rows of ``series``/``x``/``value``) or "table" (rows shown as they are).
    chart: str = "value"
    #: Column headings of the rows, ``((key, label), ...)``; the table beside the chart.
    columns: tuple[tuple[str, Any], ...] = ()
    #: False keeps it on the staff dashboard only.
    public: bool = True
    description: Any = ""
    order: int = 100


@dataclass(frozen=True)
class OpenDataExport:
    """A public dataset: ``rows()`` yields dicts with exactly ``fields`` (an allow-list)."""

    key: str
    title: Any
    fields: tuple[str, ...]
    rows: Callable[[], Iterable[dict[str, Any]]]
    description: Any = ""
    field_descriptions: dict[str, Any] = field(default_factory=dict)
    geo: bool = False
    #: Field types for the data dictionary and typed formats (Parquet): "int", "float", "str",
    #: "bool", "date", "datetime"; a field not named here is "str".
    field_types: dict[str, str] = field(default_factory=dict)
    app: str = ""


@dataclass(frozen=True)
class PersonalData:
    """What an app holds about one person: ``collect(user)`` returns a JSON-ready dict for
    "download my data"; ``anonymise(user)`` strips the person from the app's records when the
    account is deleted, keeping public records (proposals, history) without the identity."""

    app: str
    collect: Callable[[Any], dict[str, Any]]
    anonymise: Callable[[Any], None]


@dataclass(frozen=True)
class ApiRouter:
    prefix: str
    router: Any
    order: int = 100


class Registry:
    def __init__(self) -> None:
        self._items: dict[str, list[Any]] = {}

    def register(self, kind: str, item: Any) -> Any:
        self._items.setdefault(kind, []).append(item)
        return item

    def items(self, kind: str) -> list[Any]:
        return list(self._items.get(kind, []))

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)


registry = Registry()


def register_nav(item: NavItem) -> NavItem:
    return registry.register("nav", item)


def register_metric(metric: Metric) -> Metric:
    return registry.register("metric", metric)


def register_export(export: OpenDataExport) -> OpenDataExport:
    return registry.register("export", export)


def register_personal_data(
    app: str, collect: Callable[[Any], dict[str, Any]], anonymise: Callable[[Any], None]
) -> PersonalData:
    return registry.register("personal_data", PersonalData(app, collect, anonymise))


def register_api(router: ApiRouter) -> ApiRouter:
    return registry.register("api", router)


@dataclass(frozen=True)
class Pages:
    """An app's page URLs, mounted under the language prefix at ``prefix``."""

    prefix: str
    urls: str  # dotted path of the app's urls module


def register_pages(pages: Pages) -> Pages:
    return registry.register("pages", pages)


@dataclass(frozen=True)
class HomeSection:
    title: Any
    text: Any
    url_name: str
    order: int = 100


def register_home(section: HomeSection) -> HomeSection:
    return registry.register("home", section)


@dataclass(frozen=True)
class DemoStep:
    """A step of the demo city generator: ``populate(city)`` adds an app's demo data.

    ``city`` is a ``core.demo.DemoCity`` with the seeded random generator, the scale and what
    earlier steps made (districts, departments, users by role)."""

    name: str
    populate: Callable[[Any], Any]
    order: int = 100


def register_demo(step: DemoStep) -> DemoStep:
    return registry.register("demo", step)
