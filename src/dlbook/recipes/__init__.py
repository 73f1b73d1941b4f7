"""The chapters' recipes: each chapter's model and compile call, exported from its cells tagged ``recipe``.

``scripts/export_recipes.py`` writes ``<chapter>.py`` here from
``book/<chapter>.md``; the files are generated (edit the chapter, then run the
script), and ``tests/unit/test_recipes.py`` fails while a file differs from its
chapter. Chapter 2, the command line (:mod:`dlbook.tasks`), ``benchmarks/``
and the live-panel exporter import the recipes from here, so the code a
chapter shows is the code they run. The recipes are part of every model's
cache key (:data:`dlbook.training.MODEL_CODE`).
"""
