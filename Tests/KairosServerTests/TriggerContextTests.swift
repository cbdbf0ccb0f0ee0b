@testable import KairosCore
@testable import KairosEngine
import Testing

/// Triggers are tested in the context the profile's segments were evaluated in, gathered only
/// when some trigger can fire for the event.
@Suite struct TriggerContextTests {
    static func viewed(_ seq: Int64, user: String = "u1") -> Event {
        Event(seq: seq, messageId: "m\(seq)", type: .track, name: "Viewed", userId: user, timestamp: seq, receivedAt: seq)
    }

    @Test func conditionsAreReadOnlyWhenAWhenMatchesAndGiveTheSameWaits() throws {
        let book = ProfileBook()
        book.install(try FeatureSet.compile([.init(id: "views", aggregation: .count, filter: #"event.name == "Viewed""#)]))
        book.install(try SegmentSet.compile([.init(id: "regulars", condition: "features.views >= 3")], features: book.features), now: 0)
        let engine = TriggerEngine()
        let second = TriggerDefinition(id: "second", when: #"event.name == "Viewed""#, condition: "features.views == 2", channel: "app", message: [:])
        let orders = TriggerDefinition(id: "orders", when: #"event.name == "Order""#, condition: "features.views > 0", channel: "app", message: [:])
        // Without a trigger whose `when` reads the person, only an event that some conditional
        // trigger's `when` matches gathers anything.
        let conditional = try TriggerSet.compile([second, orders], channels: [.init(id: "app", kind: .inapp)], features: book.features)
        let order = Event(seq: 99, messageId: "o", type: .track, name: "Order", userId: "u1", timestamp: 99, receivedAt: 99)
        let clicked = Event(seq: 97, messageId: "c", type: .track, name: "Clicked", userId: "u1", timestamp: 97, receivedAt: 97)
        #expect(engine.reads(for: order, in: conditional) != nil)  // its `when` matches the event alone
        #expect(engine.reads(for: Self.viewed(96), in: conditional) != nil)
        #expect(engine.reads(for: clicked, in: conditional) == nil)
        engine.install(
            try TriggerSet.compile(
                [second, .init(id: "regular", when: #""regulars" in segments"#, channel: "app", message: [:]), orders],
                channels: [.init(id: "app", kind: .inapp)], features: book.features))
        #expect(engine.reads(for: clicked, in: engine.triggers) != nil)  // "regular" reads the person on any event
        #expect(engine.reads(for: .init(seq: 98, messageId: "c", type: .consent, userId: "u1", timestamp: 1, receivedAt: 1), in: engine.triggers) == nil)

        var fired: [[String]] = []
        for seq in Int64(1)...4 {
            let event = Self.viewed(seq)
            let applied = book.apply(event, conditions: engine.reads(for: event, in: engine.triggers))
            #expect(applied.context != nil)  // "regular" reads the segments on every event
            let shared = engine.waits(for: event, profiles: book, applied: applied.context).map(\.trigger)
            // The same answer as looking the person up again after the event.
            #expect(shared == engine.waits(for: event, profiles: book).map(\.trigger))
            fired.append(shared)
        }
        #expect(fired == [[], ["second"], ["regular"], ["regular"]])

        // Without a trigger that reads the person, nothing is gathered.
        engine.install(
            try TriggerSet.compile(
                [.init(id: "plain", when: #"event.name == "Viewed""#, channel: "app", message: [:])],
                channels: [.init(id: "app", kind: .inapp)], features: book.features))
        #expect(engine.reads(for: Self.viewed(5), in: engine.triggers) == nil)
        #expect(engine.waits(for: Self.viewed(5), profiles: book).map(\.trigger) == ["plain"])
    }

    @Test func aSegmentRecordsWaitIsCancelledByWhatFollowedItsCause() throws {
        let book = ProfileBook()
        let engine = TriggerEngine()
        engine.install(
            try TriggerSet.compile(
                [
                    .init(
                        id: "welcome", when: #"event.name == "Segment Entered""#, wait: 60_000, unless: #"event.name == "Order""#,
                        channel: "app", message: [:])
                ],
                channels: [.init(id: "app", kind: .inapp)], features: book.features))
        let transition = SegmentTransition(segment: "vip", entered: true, userId: "u1", anonymousId: nil, causeSeq: 41, time: 1_000)
        var record = Event.segmentRecord(transition, receivedAt: 2_000)
        record.seq = 97  // written after the next group's events
        #expect(record.segmentRecordCause == 41 && Self.viewed(5).segmentRecordCause == nil)
        let waits = engine.waits(for: record, profiles: book)
        #expect(waits.map(\.causeSeq) == [41])
        #expect(waits.map(\.id) == ["welcome:97"])
    }
}
