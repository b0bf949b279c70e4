"""The project's settings: one leaf module every process builds its settings from (``config.settings``)."""
