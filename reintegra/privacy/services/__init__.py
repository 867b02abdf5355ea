"""One module per area: requests, retention."""
