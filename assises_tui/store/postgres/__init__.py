"""The PostgreSQL backend of the ``Store`` protocol (team mode): schema and store."""
