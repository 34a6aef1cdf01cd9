"""Run pygeoapi's Starlette app under uvicorn with the generated configuration, read-only.

pygeoapi reads its configuration and OpenAPI document from files named by environment variables
when its app module is imported, so both are written to a work folder first. The app is wrapped in
two guards of our own: only GET, HEAD and OPTIONS reach it (pygeoapi answers writes with an error
when transactions are off, but an error is not a refusal; this makes "no write endpoints" a fact),
and CORS answers only the configured origins (pygeoapi's own switch allows every origin).
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import socket
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..errors import UserError
from ..i18n import t
from ..store import Store
from .providers.query import warm_transform
from .resources import CRS84, STORAGE_CRS, build_resources
from .settings import ApiSettings

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CONFIG_NAME, OPENAPI_NAME = "pygeoapi-config.yml", "pygeoapi-openapi.json"


@dataclass(frozen=True)
class Binding:
    host: str
    port: int


def check_port(bind: Binding) -> None:
    """Refuse a taken port before the slow start (the configuration computes the yearly rates)."""
    with socket.socket() as probe:
        try:
            probe.bind((bind.host, bind.port))
        except OSError:
            raise UserError("api.port_in_use", host=bind.host, port=bind.port) from None


def pygeoapi_config(store: Store, location: str, settings: ApiSettings, workdir: Path, bind: Binding) -> dict:
    """The whole pygeoapi configuration for the store at ``location``; tables it needs go to ``workdir``."""
    workdir.mkdir(parents=True, exist_ok=True)
    url = settings.base_url(bind.host, bind.port)
    return {
        "server": {
            "bind": {"host": bind.host, "port": bind.port}, "url": url,
            "mimetype": "application/json; charset=UTF-8", "encoding": "utf-8", "gzip": False,
            "languages": ["zh", "en"], "pretty_print": False, "admin": False, "cors": False,
            "limits": {"default_items": settings.default_items, "max_items": settings.max_items,
                       "on_exceed": "throttle"},
            "map": {"url": settings.map_url, "attribution": settings.map_attribution},
        },
        "logging": {"level": "ERROR"},
        "metadata": {
            "identification": {
                "title": {lang: t("api.title", lang) for lang in ("zh", "en")},
                "description": {lang: t("api.description", lang) for lang in ("zh", "en")},
                "keywords": {lang: t("api.keywords", lang).split(", ") for lang in ("zh", "en")},
                "url": url, "terms_of_service": url,
            },
            "license": {"name": f"{t('api.license', 'zh')} / {t('api.license', 'en')}", "url": url},
            "provider": {"name": t("api.provider", "zh"), "url": url},
            "contact": {"name": t("api.provider", "zh")},
        },
        "resources": build_resources(store, location, settings, workdir),
    }  # fmt: skip


def write_config(config: dict, workdir: Path) -> tuple[Path, Path]:
    """The configuration and its OpenAPI document, readable by this user only (a PostGIS store's
    password is in the configuration)."""
    from pygeoapi.openapi import get_oas
    from pygeoapi.util import to_json

    logging.getLogger("pygeoapi").setLevel(logging.ERROR)  # its notes on column types are not ours

    config_path, openapi_path = workdir / CONFIG_NAME, workdir / OPENAPI_NAME
    config_path.touch(mode=0o600)
    config_path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    openapi_path.write_text(to_json(get_oas(config), False), encoding="utf-8")
    return config_path, openapi_path


class ReadOnly:
    """An ASGI guard: anything but GET, HEAD and OPTIONS gets 405 before pygeoapi sees it."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and scope["method"] not in READ_METHODS:
            body = json.dumps({"code": "MethodNotAllowed", "description": "read-only"}).encode()
            headers = [(b"content-type", b"application/json"), (b"allow", b"GET, HEAD, OPTIONS")]
            await send({"type": "http.response.start", "status": 405, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)


def asgi_app(config_path: Path, openapi_path: Path, settings: ApiSettings):
    """pygeoapi's Starlette app for these files, behind the read-only and CORS guards."""
    from starlette.middleware.cors import CORSMiddleware

    os.environ["PYGEOAPI_CONFIG"], os.environ["PYGEOAPI_OPENAPI"] = str(config_path), str(openapi_path)
    warm_transform(STORAGE_CRS, CRS84)  # its first use takes a second: not the first client's wait
    app = importlib.import_module("pygeoapi.starlette_app").APP
    if settings.cors_origins:
        app = CORSMiddleware(
            app, allow_origins=list(settings.cors_origins), allow_methods=sorted(READ_METHODS)
        )
    return ReadOnly(app)


def serve(app, bind: Binding) -> None:
    import uvicorn

    uvicorn.run(app, host=bind.host, port=bind.port, log_level="warning", access_log=False)
