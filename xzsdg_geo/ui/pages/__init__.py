"""One module per page: thin, calling services and cached reads, with no geometry logic."""
