"""Stage 6, the build: what is out of date, made in parallel and kept; leaflets, pamphlets, watch."""
