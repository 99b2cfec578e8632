"""Defer the ASK SDK's service-client models until something asks for a service client.

Importing ``ask_sdk_model.services`` runs ``service_client_factory``, which imports every Alexa
service client and all their models (reminders, lists, timers, monetization, ...): about a third
of the SDK's import time, paid on every cold start. This skill calls no Alexa service: its skill
is built without an API client, so the SDK never constructs a ``ServiceClientFactory``.

``defer_service_clients`` puts an import hook in front of that one module. Until a factory is
actually constructed, ``ServiceClientFactory`` is a stand-in; constructing it imports the real
module (the hook steps aside first) and returns a real factory, so code that does use services
still works, only later. The SDK's files are not changed. See docs/decisions.md.

The hook is duck-typed rather than built on ``importlib.abc``: on Python 3.11 to 3.13 that
module imports ``importlib.resources`` and with it ``tempfile``, ``shutil``, ``inspect`` and the
compression modules, about 10 ms of a cold start to save 30.
"""

from __future__ import annotations

import importlib
import sys
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:  # for the type checker only: importing it costs a cold start (above)
    from importlib.abc import Loader

FACTORY_MODULE = "ask_sdk_model.services.service_client_factory"


class _Factory:
    """Stands in for ``ServiceClientFactory``; constructing it builds the real one."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        return real_factory()(*args, **kwargs)


class _StandInLoader:
    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        return None

    def exec_module(self, module: ModuleType) -> None:
        module.ServiceClientFactory = _Factory  # type: ignore[attr-defined]


class _Finder:
    def find_spec(self, fullname: str, path: Any, target: Any = None) -> ModuleSpec | None:
        if fullname != FACTORY_MODULE:
            return None
        return ModuleSpec(fullname, cast("Loader", _StandInLoader()))


_FINDER = _Finder()


def defer_service_clients() -> bool:
    """Install the hook, before anything imports the SDK; False if it is too late for it."""
    if FACTORY_MODULE in sys.modules:
        return False
    if _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)
    return True


def real_factory() -> type:
    """The SDK's own ``ServiceClientFactory``, imported now (and from then on everywhere)."""
    if _FINDER in sys.meta_path:
        sys.meta_path.remove(_FINDER)
    current = sys.modules.get(FACTORY_MODULE)
    if current is None or getattr(current, "ServiceClientFactory", None) is _Factory:
        sys.modules.pop(FACTORY_MODULE, None)
        current = importlib.import_module(FACTORY_MODULE)
    factory: type = current.ServiceClientFactory
    services = sys.modules.get("ask_sdk_model.services")
    if services is not None:
        services.ServiceClientFactory = factory  # type: ignore[attr-defined]
    return factory
