"""Remote sensing: rasters in the store, and what they say about the restoration parcels.

- ``catalog``: registering a GeoTIFF (kind, acquisition date), checked once, kept in or beside the store;
- ``reading``: opening stored rasters, reading by windows, warping onto another grid on the fly;
- ``zonal``: zonal means with exact partial-pixel weights (exactextract);
- ``ndvi``: NDVI from NDVI rasters or red + NIR bands;
- ``images``: which dated image to measure a polygon on;
- ``verify``: a verdict per completed parcel, district and city totals;
- ``forest_cover``: forest cover per district from land cover, against the plan's target;
- ``sample``: the deterministic sample rasters written at ``init --sample``;
- ``settings``: thresholds and class codes from ``config/rasters.toml``.
"""
