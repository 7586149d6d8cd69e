"""gunicorn, run in-process by ``ksbb up``."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication


class KsbbServer(BaseApplication):
    def __init__(self, application: Any, options: dict[str, Any]) -> None:
        self.application = application
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings and value is not None:
                self.cfg.set(key, value)

    def load(self) -> Any:
        return self.application
