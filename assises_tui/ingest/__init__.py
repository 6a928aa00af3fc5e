"""Reading the consultation mailbox: sources, MIME decoding, extraction, classification."""
