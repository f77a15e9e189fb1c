"""The checkers: each standard (PDF/X-4, PDF/A-2, PDF/UA-1) and the editor's `layout check`."""
