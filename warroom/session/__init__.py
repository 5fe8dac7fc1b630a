"""One open incident, without a screen: `IncidentSession` owns its events, follows the store,
derives the state, writes, and applies the recording policies the war room relies on."""
