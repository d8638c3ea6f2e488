"""Feeds: fetching over HTTP (``fetch``), parsing RSS/Atom (``parse``), when to poll next
(``schedule_policy``) and one poll of the due feeds (``poll``).

May use ``db`` (to claim feeds and store outcomes), ``indicators.errors`` and the standard library;
never ``monitor.pipeline``, ``monitor.digest``, ``monitor.cli`` or ``monitor.config``.
"""
