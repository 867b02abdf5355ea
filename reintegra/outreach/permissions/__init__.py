"""One module per area: communication, feedback."""
