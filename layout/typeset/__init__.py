"""Stages 3 and 4: the model through the house style's templates, and HTML into tagged PDFs."""
