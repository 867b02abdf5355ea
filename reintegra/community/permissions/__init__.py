"""One module per area: projects, structural."""
