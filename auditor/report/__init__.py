"""Renderers over the ``audit.json`` dict: the HTML and Markdown cards, JUnit XML, the CI
summary and the terminal lines. :func:`auditor.report.render.render_all` writes every file;
this package's ``__init__`` imports nothing, so a command that only escapes or formats a
number (``auditor --help``, ``auditor gate``) does not load Jinja2 and the card's plots.
"""
