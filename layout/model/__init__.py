"""Stage 1, the model: manifests and front matter into frozen, validated data; every error located."""
