"""Central types, geometry and errors. Imports no other kuzet package."""
