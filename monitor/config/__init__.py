"""Config: the validated configuration (``model``: forms, defaults, loading and its messages) and the
YAML reader that keeps line numbers for those messages (``yaml_document``).

May use ``indicators`` (hashing, errors) and, lazily, ``scenarios`` value types; nothing else of the
project, so every other part of ``monitor`` can depend on it.
"""

# Here rather than in ``model`` so the CLI's help text needs no pydantic import.
DEFAULT_CONFIG_NAME = "monitor.yaml"
