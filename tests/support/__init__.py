"""Helpers shared by the test layers: databases, seeded worlds, clients, servers, v2 bodies."""
