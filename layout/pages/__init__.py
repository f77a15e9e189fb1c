"""Stage 5, after typesetting: made pages read, bound into volumes, imposed on sheets, copyfitted."""
