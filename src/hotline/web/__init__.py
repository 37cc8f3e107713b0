"""The web pages: the login page, the agent desktop, the supervisor's wall board and the
administration pages.

Pages are rendered on the server (Jinja2) and made live by small vanilla-JS modules over the
CTI WebSocket (docs/cti.md) and the REST API; nothing needs building. `router` serves the pages
and their static files; `hotline.api.app.create_app` includes it.
"""

from hotline.web.pages import router

__all__ = ["router"]
