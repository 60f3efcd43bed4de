"""What may leave the store: the marking, small-count suppression, sensitive views, exports."""
