"""``tact cost``: what running the compiled journeys costs, per path, with the prices used."""
