"""Text handling without any UI: normalisation, repair, folding, safety, personal data."""
