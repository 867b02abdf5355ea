"""Models of the restricted sections."""
