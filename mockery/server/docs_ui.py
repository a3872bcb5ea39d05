"""Interactive API docs at ``/__mockery/docs``: Swagger UI over every service's exported OpenAPI document.

Swagger UI's files come from the installed ``swagger-ui-bundle-v2`` package and are served by mockery itself,
so the page loads with no request leaving the machine: no CDN, Swagger UI's online validator badge turned off,
and a ``Content-Security-Policy`` that lets the browser fetch only from this listener (and, for "try it out",
from mockery's other listeners).
"""

from __future__ import annotations

import html
import importlib.resources
from collections.abc import Iterable
from dataclasses import dataclass
from importlib.resources.abc import Traversable

import orjson
from starlette.responses import Response

from mockery.http.paths import RESERVED_PREFIX

DOCS_PATH = f"{RESERVED_PREFIX}/docs"
ASSETS_PATH = f"{DOCS_PATH}/assets"
INSTALL = "pip install swagger-ui-bundle-v2"

# The files of the Swagger UI distribution the page needs, with their media types; nothing else is served.
ASSETS = {
    "swagger-ui.css": "text/css; charset=utf-8",
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui-standalone-preset.js": "text/javascript; charset=utf-8",
    "favicon-32x32.png": "image/png",
    "favicon-16x16.png": "image/png",
}

# Started from a file rather than an inline script, so that the policy can forbid inline scripts.
INIT_JS = """\
window.addEventListener("load", function () {
  var config = JSON.parse(document.getElementById("mockery-docs").textContent);
  var wanted = new URLSearchParams(window.location.search).get("service");
  var primary = config.urls.some(function (u) { return u.name === wanted; }) ? wanted : undefined;
  window.ui = SwaggerUIBundle({
    urls: config.urls,
    "urls.primaryName": primary,
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: "StandaloneLayout"
  });
});
"""

_PAGE = """\
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>mockery: API docs</title>
<link rel="icon" type="image/png" href="{assets}/favicon-32x32.png">
<link rel="stylesheet" href="{assets}/swagger-ui.css">
</head>
<body>
<noscript>
<h1>mockery: API docs</h1>
<p>The OpenAPI document of each service:</p>
<ul>
{links}
</ul>
</noscript>
<div id="swagger-ui"></div>
<script id="mockery-docs" type="application/json">{config}</script>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script src="{assets}/swagger-ui-standalone-preset.js"></script>
<script src="{docs}/init.js"></script>
</body>
</html>
"""


class MissingAssets(RuntimeError):
    """Swagger UI's files are not installed."""


def swagger_ui_folder() -> Traversable:
    """The folder of the installed Swagger UI distribution (``swagger_ui_bundle/vendor/swagger-ui-X.Y.Z``)."""
    try:
        vendor = importlib.resources.files("swagger_ui_bundle") / "vendor"
        folders = sorted(
            (entry for entry in vendor.iterdir() if entry.name.startswith("swagger-ui-")),
            key=lambda entry: entry.name,
        )
    except (ModuleNotFoundError, FileNotFoundError, NotADirectoryError):
        folders = []
    if not folders:
        raise MissingAssets(f"Swagger UI's files are not installed: {INSTALL}")
    return folders[-1]


@dataclass(frozen=True, slots=True)
class DocumentLink:
    """One service's document as the page lists it."""

    service: str
    url: str


def policy(connect: Iterable[str] = ()) -> str:
    """The page's Content-Security-Policy: everything from this origin only (``connect`` adds origins that
    "try it out" may call: mockery's other listeners)."""
    sources = " ".join(["'self'", *sorted(set(connect))])
    return (
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        f"font-src 'self' data:; connect-src {sources}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )


def docs_page(documents: Iterable[DocumentLink], connect: Iterable[str] = ()) -> Response:
    """The docs page listing ``documents``."""
    documents = list(documents)
    config = orjson.dumps({"urls": [{"url": link.url, "name": link.service} for link in documents]})
    page = _PAGE.format(
        assets=ASSETS_PATH,
        docs=DOCS_PATH,
        links="\n".join(
            f'<li><a href="{html.escape(link.url)}">{html.escape(link.service)}</a></li>' for link in documents
        ),
        # JSON inside <script>: "<" escaped so that no value can close the element.
        config=config.decode().replace("<", "\\u003c"),
    )
    return Response(
        page,
        media_type="text/html; charset=utf-8",
        headers={"content-security-policy": policy(connect), "x-content-type-options": "nosniff"},
    )


def init_script() -> Response:
    return Response(INIT_JS, media_type="text/javascript; charset=utf-8", headers={"cache-control": "no-cache"})


def asset(name: str) -> Response | None:
    """One Swagger UI file, or ``None`` for any name not in ``ASSETS``."""
    media_type = ASSETS.get(name)
    if media_type is None:
        return None
    data = (swagger_ui_folder() / name).read_bytes()
    return Response(
        data,
        media_type=media_type,
        headers={"cache-control": "public, max-age=86400", "x-content-type-options": "nosniff"},
    )
