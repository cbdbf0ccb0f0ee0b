extension EvaluationContext {
    /// The context of a stored event: its object (rebuilt from its columns when the body was not
    /// parsed), its time and, for a track event, its name.
    public init(_ event: Event, now: Millis) {
        self.init(event: event.json ?? ProfileBook.minimalJSON(event), eventTimestamp: event.timestamp, now: now)
        if event.type == .track { eventName = event.name }
    }
}
