"""The admin endpoints that publish what the services are: ``/__mockery/openapi/{service}.json`` (each
service's OpenAPI 3.1 document, see ``mockery.openapi.export``) and ``/__mockery/docs`` (Swagger UI over
them, see ``mockery.server.docs_ui``).

They answer under the admin guard like every admin endpoint but health, ready and metrics: open on a loopback
listener, behind the admin token elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlsplit

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from mockery.http.paths import RESERVED_PREFIX
from mockery.model.services import Service
from mockery.server import docs_ui
from mockery.server.verbs import ServerVerbs
from mockery.suggest import did_you_mean
from mockery.templates.fakes import json_default

Problem = Callable[..., Response]
OPENAPI_PATH = f"{RESERVED_PREFIX}/openapi"


class DocsEndpoints:
    """The routes publishing each service's OpenAPI document and the docs page over them."""

    def __init__(self, server: ServerVerbs, problem: Problem) -> None:
        self.server = server
        self.problem = problem

    def routes(self) -> list[BaseRoute]:
        return [
            Route(OPENAPI_PATH, self.index, methods=["GET"]),
            Route(f"{OPENAPI_PATH}/{{service}}.json", self.document, methods=["GET"]),
            Route(docs_ui.DOCS_PATH, self.page, methods=["GET"]),
            Route(f"{docs_ui.DOCS_PATH}/init.js", self.init_script, methods=["GET"]),
            Route(f"{docs_ui.ASSETS_PATH}/{{name}}", self.asset, methods=["GET"]),
        ]

    def _served(self, request: Request) -> list[tuple[Service, str]]:
        """Every service with the origin it is served at: ``""`` on this (the shared) listener, else the
        other listener's address as this request reached the machine."""
        found: list[tuple[Service, str]] = []
        host = request.url.hostname or "127.0.0.1"
        host = f"[{host}]" if ":" in host else host
        for url, shared, service in self.server.served():
            origin = "" if shared else f"{request.url.scheme}://{host}:{urlsplit(url).port}"
            found.append((service, origin))
        return found

    async def index(self, request: Request) -> Response:
        documents = [
            {"service": service.name, "url": _document_url(service.name)} for service, _ in self._served(request)
        ]
        return Response(orjson.dumps({"documents": documents}), media_type="application/json")

    async def document(self, request: Request) -> Response:
        name = request.path_params["service"]
        served = self._served(request)
        for service, origin in served:
            if service.name == name:
                from mockery.openapi.export import export_service  # the OpenAPI machinery: when a document is asked

                document = export_service(service, self._record_schema, origin)
                return Response(
                    orjson.dumps(document, default=json_default, option=orjson.OPT_NON_STR_KEYS),
                    media_type="application/json",
                )
        names = [service.name for service, _ in served]
        hint = did_you_mean(name, names)
        return self.problem(
            404,
            "No such service",
            f"no service named {name!r}; services: {', '.join(names) or 'none'}" + (f"; {hint}" if hint else ""),
            services=names,
        )

    def _record_schema(self, resource: Any) -> dict[str, Any]:
        return self.server.record_schema(resource)

    async def page(self, request: Request) -> Response:
        try:
            docs_ui.swagger_ui_folder()
        except docs_ui.MissingAssets as exc:
            return self.problem(503, "Docs unavailable", str(exc))
        served = self._served(request)
        links = [docs_ui.DocumentLink(service.name, _document_url(service.name)) for service, _ in served]
        return docs_ui.docs_page(links, connect=[origin for _, origin in served if origin])

    async def init_script(self, request: Request) -> Response:
        return docs_ui.init_script()

    async def asset(self, request: Request) -> Response:
        name = request.path_params["name"]
        try:
            response = docs_ui.asset(name)
        except docs_ui.MissingAssets as exc:
            return self.problem(503, "Docs unavailable", str(exc))
        if response is None:
            return self.problem(404, "No such asset", f"no docs asset {name!r}; assets: {', '.join(docs_ui.ASSETS)}")
        return response


def _document_url(service: str) -> str:
    return f"{OPENAPI_PATH}/{quote(service)}.json"
