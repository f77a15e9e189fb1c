"""Stage 7, the archive site: pages, downloads, EPUB, search and share images."""
