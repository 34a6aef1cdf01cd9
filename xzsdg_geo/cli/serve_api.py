"""``serve-api``: the public layers as OGC API - Features (pygeoapi), until interrupted."""

from __future__ import annotations

import argparse
import dataclasses
import tempfile
from pathlib import Path

from ..api.server import Binding, asgi_app, check_port, pygeoapi_config, serve, write_config
from ..api.settings import api_settings
from ..config import store_location
from ..i18n import t
from .common import add_command, opened_store


def cmd_serve_api(args: argparse.Namespace) -> int:
    settings = api_settings()
    if args.cors_origin:
        settings = dataclasses.replace(settings, cors_origins=tuple(args.cors_origin))
    bind = Binding(args.host or settings.host, args.port or settings.port)
    check_port(bind)
    with tempfile.TemporaryDirectory(prefix="xzsdg-api-") as tmp:
        workdir = Path(args.workdir) if args.workdir else Path(tmp)
        with opened_store(args) as store:
            config = pygeoapi_config(store, store_location(args.store), settings, workdir, bind)
        app = asgi_app(*write_config(config, workdir), settings)
        print(t("api.started", url=settings.base_url(bind.host, bind.port)), flush=True)
        serve(app, bind)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    parser = add_command(sub, "serve-api", cmd_serve_api)
    parser.add_argument("--host", help=t("api.help_host"))
    parser.add_argument("--port", type=int, help=t("api.help_port"))
    parser.add_argument("--workdir", help=t("api.help_workdir"))
    parser.add_argument("--cors-origin", action="append", default=[], help=t("api.help_cors_origin"))
