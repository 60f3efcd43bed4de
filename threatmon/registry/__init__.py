"""The reference registries: crime types, regions, crossing points and their data files."""
