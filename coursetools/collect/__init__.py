"""Collect: submissions into submitted/ (``nbgrader collect``, or ``nbgrader zip_collect`` from an LMS download
with ``collector.CanvasCollector``), and what the download held (``downloads``)."""
