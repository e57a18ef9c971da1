"""The HTML report of a run: figures (matplotlib, an optional extra) and a self-contained page."""
