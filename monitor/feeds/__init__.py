"""Feeds: fetching over HTTP (``fetch``, with its settings in ``fetch_settings``), parsing RSS/Atom
(``parse``, on worker processes for large polls), when to poll next (``schedule_policy``) and one
poll of the due feeds (``poll``: claim, fetch, skip known items, analyse, then hand analysed items to
``db`` to store, one transaction per feed; one feed's fault stays that feed's).

May use ``db`` (to claim feeds and store outcomes), ``indicators.errors`` and the standard library;
never ``monitor.pipeline``, ``monitor.digest``, ``monitor.cli`` or ``monitor.config``.
"""
