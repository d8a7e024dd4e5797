"""`tact import-pinpoint`: Amazon Pinpoint journeys (JourneyResponse JSON) to Tact files."""
