"""Stage 2, the text: Markdown (and imported documents) into the HTML every output places."""
