"""layout: the print, PDF and web pipeline of The Spark.

Its subpackages are its stages, in order: ``model`` (manifests into frozen data) -> ``text``
(Markdown and imported documents into HTML) -> ``typeset`` (templates, WeasyPrint, tagged PDFs)
-> ``pages`` (bound, imposed, copyfitted) -> ``checks`` (preflight, PDF/A, PDF/UA) -> ``build``
(what is out of date, in parallel) -> ``site`` (the archive website and EPUBs) -> ``cli``.
README.md's "The code" names every module.
"""

__version__ = "0.1.0"
