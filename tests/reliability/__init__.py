"""Reliability and security specifications: nothing lost, nothing half-done, nobody where they should not be.

Idempotent reloads, crash safety under SIGKILL, a generated corpus of malformed inputs, faulty source systems,
secrets kept out of logs, and property-based checks of the parsers and compliance rules.
"""
