"""Services: what screens and the CLI ask for. No textual/rich here."""
