"""Pipeline: what happens to items after a fetch. One poll cycle (``poll_cycle``), story grouping
before the write and learnt after the commit (``story_assigner``), the daily trend continued from
the earliest changed day (``trend_refresh``), re-matching
stored items (``rescore``), importing history files (``importer``) and the config-to-settings
conversion for polls (``poll_settings``).

May use ``monitor.feeds``, ``monitor.config``, ``monitor.analysis``, ``db``, ``scenarios`` and
``indicators``; never ``monitor.digest`` or ``monitor.cli``.
"""
