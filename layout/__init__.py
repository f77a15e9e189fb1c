"""layout: the print and PDF pipeline of The Spark.

Stages, in order: manifest -> text -> render -> typeset -> bind, impose, site -> build -> cli.
"""

__version__ = "0.1.0"
