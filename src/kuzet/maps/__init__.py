"""Site plans and the geographic map: where cameras are, for the console's ``/map``.

* :mod:`kuzet.maps.images` - an uploaded plan image, decoded within limits and re-encoded;
* :mod:`kuzet.maps.plans` - site plans and camera placements (plan and geographic) in the store;
* :mod:`kuzet.maps.geodata` - the deployment's offline map data (GeoJSON, georeferenced image);
* :mod:`kuzet.maps.demo` - the demo's floor plan, drawn from code.
"""
