extension EvaluationContext {
    /// The context of a stored event: its object (rebuilt from its columns when the body was not
    /// parsed), its time and, for a track event, its name.
    public init(_ event: Event, now: Millis) {
        // Each property assigned once, in place: delegating to the memberwise init, or
        // `event.json ?? ...` (whose autoclosure captures the event), copies the event or the context.
        if let json = event.json { self.event = json } else { self.event = ProfileBook.minimalJSON(event) }
        eventName = event.type == .track ? event.name : nil
        eventTimestamp = event.timestamp
        profile = nil
        item = nil
        features = [:]
        segments = []
        self.now = now
    }
}
