"""The checkers, one for each standard: PDF/X-4 and what a print shop trips over (preflight), PDF/A-2,
PDF/UA-1, and the tagged PDF they read (tagged). ``layout check`` runs them: ``build.check``."""
