"""The four apps as the CLI sees them: name, settings class, app factory, default port."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from services.common.settings import AppSettings


@dataclass(frozen=True)
class AppInfo:
    name: str
    env_prefix: str
    factory: str  # "module:function" for uvicorn --factory

    def settings_class(self) -> type[AppSettings]:
        if self.name == "gateway":
            from gateway.config import GatewaySettings

            return GatewaySettings
        if self.name == "kinerja":
            from services.kinerja_api.config import KinerjaSettings

            return KinerjaSettings
        if self.name == "pelatihan":
            from services.pelatihan_api.config import PelatihanSettings

            return PelatihanSettings
        from services.publik_api.config import PublikSettings

        return PublikSettings

    def settings(self, **overrides: Any) -> AppSettings:
        return self.settings_class()(**overrides)

    def create_app_fn(self) -> Callable[[], Any]:
        module, fn = self.factory.split(":")
        mod = __import__(module, fromlist=[fn])
        return getattr(mod, fn)  # type: ignore[no-any-return]


APPS: dict[str, AppInfo] = {
    "kinerja": AppInfo("kinerja", "KINERJA_", "services.kinerja_api.main:create_app"),
    "pelatihan": AppInfo("pelatihan", "PELATIHAN_", "services.pelatihan_api.main:create_app"),
    "publik": AppInfo("publik", "PUBLIK_", "services.publik_api.main:create_app"),
    "gateway": AppInfo("gateway", "GATEWAY_", "gateway.main:create_app"),
}
