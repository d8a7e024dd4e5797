"""One module per kind of Pinpoint activity; ``convert.ACTIVITIES`` maps each kind to it."""
