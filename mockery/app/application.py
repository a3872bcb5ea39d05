"""The Starlette application at the top of each listener: what ``mockery serve`` runs, ``MockServer.app`` returns
and ``mockery.create_app`` builds.

Starlette gives what its users expect of an app: user middleware (``add_middleware``, ``middleware=[...]``),
exception handlers, lifespan, ``app.routes`` and ``url_path_for``, mounting inside FastAPI or another Starlette
app. Routing stays mockery's: the router hands every request to the listener's compiled route table
(``mockery.app.listener``), which finds a route with one dictionary lookup and explains a miss with the closest
routes. The Starlette routes the router lists describe the mock routes and the admin API for introspection and
``url_path_for``; they are not walked to dispatch.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.errors import ServerErrorMiddleware
from starlette.routing import BaseRoute, Mount, Route, Router
from starlette.types import ASGIApp, ExceptionHandler, Lifespan, Receive, Scope, Send

from mockery.app.listener import SERVER_SEND, ListenerApp
from mockery.http.paths import RESERVED_PREFIX


class MockRouter(Router):
    """A Starlette router whose routing is a listener's route table."""

    def __init__(self, listener: ListenerApp, *, lifespan: Lifespan[Any] | None = None) -> None:
        self.listener = listener
        self._described: tuple[object, list[BaseRoute]] | None = None
        super().__init__(lifespan=lifespan)

    @property
    def routes(self) -> list[BaseRoute]:
        """Every mock route as a Starlette ``Route`` (named as the spec names it), and the admin API's ``Mount``
        on the listener that has it: described again after a reload or a route added at runtime."""
        table = self.listener.table
        if self._described is None or self._described[0] is not table:
            self._described = (table, _describe(self.listener))
        return self._described[1]

    @routes.setter
    def routes(self, routes: list[BaseRoute]) -> None:
        # Router.__init__ sets an empty list; the routes are the listener's, never set from outside.
        if routes:
            raise TypeError("a mockery app's routes come from its specs: add routes to a spec, or mount this app")

    async def app(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.lifespan(scope, receive, send)
            return
        if "router" not in scope:
            scope["router"] = self
        if scope.get("root_path"):
            # Mounted under a prefix (``app.mount("/mocks", mockery_app)``): the routes see the path below it.
            scope = {**scope, "path": _below(scope["path"], scope["root_path"]), "root_path": ""}
        await self.listener(scope, receive, send)


class MockApp(Starlette):
    """The app of one listener: a Starlette application whose routing is mockery's (``MockRouter``)."""

    router: MockRouter

    def __init__(
        self,
        listener: ListenerApp,
        *,
        middleware: Sequence[Middleware] | None = None,
        exception_handlers: Mapping[Any, ExceptionHandler] | None = None,
        lifespan: Lifespan[Any] | None = None,
        debug: bool = False,
    ) -> None:
        super().__init__(debug=debug, middleware=middleware, exception_handlers=exception_handlers)
        self.router = MockRouter(listener, lifespan=lifespan)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope[SERVER_SEND] = send
        try:
            await super().__call__(scope, receive, send)
        finally:
            # The server's ``send`` is a method of the object that holds ``scope``: left in it, every request
            # would leave a reference cycle for the garbage collector, whose passes then pause answers.
            scope.pop(SERVER_SEND, None)

    def build_middleware_stack(self) -> ASGIApp:
        """Starlette's stack, without its innermost ``ExceptionMiddleware`` when no handler needs it: that layer
        turns what the routing raises (``HTTPException``, or an exception a handler is given for) into answers,
        and mockery's routing raises nothing of the kind (it answers its own errors as problem documents). It
        stays when ``exception_handlers`` names anything but 500 or ``Exception``."""
        if any(key not in (500, Exception) for key in self.exception_handlers) or self.max_body_size is not None:
            return super().build_middleware_stack()
        handler = self.exception_handlers.get(500, self.exception_handlers.get(Exception))
        app: ASGIApp = self.router
        for cls, args, kwargs in reversed(
            [Middleware(ServerErrorMiddleware, handler=handler, debug=self.debug), *self.user_middleware]
        ):
            app = cls(app, *args, **kwargs)
        return app

    @property
    def listener(self) -> ListenerApp:
        """The listener's own ASGI app: route table, answers, journal."""
        return self.router.listener

    def __repr__(self) -> str:
        return f"MockApp({self.listener!r})"


def _below(path: str, root_path: str) -> str:
    """``path`` as the app mounted at ``root_path`` sees it (Starlette 0.35 and later keep the full path in
    ``path``; earlier releases gave the rest alone, which is left as it is)."""
    if path.startswith(root_path) and (len(path) == len(root_path) or path[len(root_path)] == "/"):
        return path[len(root_path) :] or "/"
    return path


def _describe(listener: ListenerApp) -> list[BaseRoute]:
    routes: list[BaseRoute] = []
    seen: set[str] = set()
    for entry in listener.table.entries:
        route = entry.route
        methods = sorted(route.methods)
        key = f"{route.name}|{route.path}"
        if key in seen:
            continue
        seen.add(key)
        try:
            routes.append(Route(route.path, listener, methods=methods, name=route.name))
        except (AssertionError, ValueError):  # a path Starlette's compiler does not take (a regex route)
            continue
    if listener.admin is not None:
        routes.append(Mount(RESERVED_PREFIX, app=listener.admin, name="mockery"))
    return routes
