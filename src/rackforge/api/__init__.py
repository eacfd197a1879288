"""The web application and REST API (FastAPI): ``create_app(ServerSettings(url))``."""

from rackforge.api.app import ServerSettings, create_app

__all__ = ["ServerSettings", "create_app"]
