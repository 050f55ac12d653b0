"""Local stand-ins for the external source systems, speaking their documented protocols over real HTTP,
for tests and the demo."""
