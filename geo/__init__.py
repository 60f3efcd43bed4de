"""Maps and spatial statistics: boundaries, weights, Gi*, Local Moran, emerging hot spots,
symbology, layers and folium maps. API: analysis.region_hotspots, layers, maps.region_map."""
