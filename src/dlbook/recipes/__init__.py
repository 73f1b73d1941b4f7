"""The chapters' recipes: each chapter's model and compile call, exported from its cells tagged ``recipe``.

``scripts/export_recipes.py`` writes ``<chapter>.py`` here from
``book/<chapter>.md``; the files are generated (edit the chapter, then run the
script), and ``tests/unit/test_recipes.py`` fails while a file differs from its
chapter. Chapter 2, the command line (:mod:`dlbook.tasks`), ``benchmarks/``
and the live-panel exporter import the recipes from here, so the code a
chapter shows is the code they run. A recipe reaches a model's cache key
through what it builds (layers, compile settings, initial weights), as a
chapter's own cells do, not through its source: a new chapter's recipe
retrains none of the existing models.
"""
