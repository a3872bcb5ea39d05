"""GraphiQL, served from the packaged assets of ``graphene-django-graphiql-static`` (the ``graphiql`` extra):
nothing is fetched from a CDN. The page talks to the service's GraphQL endpoint only.

The package is a Django app, but only its static files are read here: no Django is imported or needed.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import orjson

INSTALL = "pip install 'mockery[graphiql]'"
_PACKAGE = "graphene_django_graphiql_static"
ASSETS: dict[str, str] = {
    "graphiql.min.css": "text/css; charset=utf-8",
    "react.production.min.js": "text/javascript; charset=utf-8",
    "react-dom.production.min.js": "text/javascript; charset=utf-8",
    "graphiql.min.js": "text/javascript; charset=utf-8",
}


def assets_folder() -> Path | None:
    """Where the packaged GraphiQL files are, or ``None`` when the extra is not installed."""
    spec = importlib.util.find_spec(_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "static" / _PACKAGE
    return folder if all((folder / name).is_file() for name in ASSETS) else None


def page(title: str, endpoint: str, assets: str) -> bytes:
    """The HTML page of GraphiQL for the endpoint at ``endpoint``, its files under ``assets``."""
    styles = "".join(f'<link rel="stylesheet" href="{assets}/{name}">' for name in ASSETS if name.endswith(".css"))
    scripts = "".join(f'<script src="{assets}/{name}"></script>' for name in ASSETS if name.endswith(".js"))
    url = orjson.dumps(endpoint).decode().replace("<", "\\u003c")
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
        f"<title>GraphiQL: {_escape(title)}</title>"
        "<style>html,body,#graphiql{height:100%;margin:0;overflow:hidden}</style>"
        f'{styles}{scripts}</head>\n<body><div id="graphiql">Loading GraphiQL...</div>\n<script>\n'
        f"const fetcher = GraphiQL.createFetcher({{url: {url}}});\n"
        "ReactDOM.render(React.createElement(GraphiQL, {fetcher: fetcher}), document.getElementById('graphiql'));\n"
        "</script></body></html>\n"
    ).encode()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
