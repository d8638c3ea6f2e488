"""Digest: the daily digest read from the database (``build``) into values (``content``),
rendered to HTML and Markdown (``render``, ``templates/``), written and mailed (``publish``, ``send``).
Charts are drawn on one scale (``chart_scale``), long ranges grouped into weeks or months
(``buckets``); ``monitor trend`` draws its sparkline with both.

May use ``monitor.pipeline`` (for the local day), ``monitor.config``, ``monitor.analysis``, ``db``,
``scenarios`` and ``indicators``; never ``monitor.cli`` or ``monitor.daemon``.
"""
