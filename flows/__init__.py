"""Prefect flows and tasks: thin wiring of connectors, validation, warehouse loads, builds and publishing."""
