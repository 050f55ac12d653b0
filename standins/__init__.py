"""Local stand-ins for the systems Learnscape talks to, for tests, the demo and the benchmark: the source systems
speaking their documented protocols over real HTTP, and a throwaway PostgreSQL server for the warehouse."""
