"""Publishing: pages a city can put on its site, rendered from a result record alone."""
