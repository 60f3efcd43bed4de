"""The reference registries and their data files (sources in data/README.md): crime types,
regions, crossing points. API: crime_types.CRIME_TYPES, regions.load_regions, crossing_points."""
