"""Events in: profile and consent updates, journeys started and stopped."""
