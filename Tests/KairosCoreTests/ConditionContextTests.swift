import Testing

@testable import KairosCore

/// The context trigger rules are tested in: read under the profile's lock, with only as much of
/// the profile as the rules read.
@Suite struct ConditionContextTests {
    @Test func profileReadsFollowTheSources() {
        #expect(ProfileReads(of: ["event.name == \"A\"", "features.views_1h > 2"]) == .none)
        #expect(ProfileReads(of: ["event.name == \"A\"", "profile.traits.tier == \"gold\""]) == .traits)
        #expect(ProfileReads(of: ["profile.traits.tier == \"gold\"", "profile.eventCounts[\"Order\"] > 1"]) == .full)
        #expect(ProfileReads(of: []) == .none)
        // Words of the full profile outside a `profile` path read nothing of it.
        #expect(ProfileReads(of: ["event.type == \"consent\"", "event.properties.lastSeen > 0"]) == .none)
        #expect(ProfileReads(of: ["event.type == \"consent\"", "profile.traits.tier == \"gold\""]) == .traits)
        #expect(ProfileReads(of: ["profile.consent.marketing"]) == .full)
    }

    @Test func aSelectionMadeInAnotherFeatureSetIsResolvedByName() throws {
        let definitions: [FeatureDefinition] = [
            .init(id: "views", aggregation: .count, filter: #"event.name == "Viewed""#),
            .init(id: "clicks", aggregation: .count, filter: #"event.name == "Clicked""#),
        ]
        let book = ProfileBook()
        let first = try FeatureSet.compile(definitions)
        book.install(first)
        for (seq, name) in [(1, "Viewed"), (2, "Viewed"), (3, "Clicked")] {
            book.apply(Event(seq: Int64(seq), messageId: "m\(seq)", type: .track, name: name, userId: "u1", timestamp: Int64(seq), receivedAt: Int64(seq)))
        }
        let selection = FeatureSelection(ids: ["views", "missing"], in: first)
        let second = try FeatureSet.compile(definitions, previous: first)  // the same features, another set
        book.install(second)
        let state = try #require(book.profile(id: "u1")).features
        #expect(state.values(of: selection, first, now: 10) == ["views": .number(2)])
        #expect(state.values(of: selection, second, now: 10) == ["views": .number(2)])
        var values: [String: ExpressionValue] = ["views": .number(99)]
        state.add(FeatureSelection(ids: ["views", "clicks"], in: first), to: &values, second, now: 10)
        #expect(values == ["views": .number(99), "clicks": .number(1)])  // what is there already stays
    }

    @Test func theContextHasWhatTheRulesReadAndTheSameAnswersAsTheFullOne() throws {
        let book = ProfileBook()
        book.install(try FeatureSet.compile([.init(id: "views", aggregation: .count, filter: "event.name == \"Viewed\"")]))
        book.install(try SegmentSet.compile([.init(id: "viewers", condition: "features.views >= 2")], features: book.features), now: 0)
        let start: Millis = 1_800_000_000_000
        for index in 1...3 {
            book.apply(
                Event(
                    seq: Int64(index), messageId: "m\(index)", type: .track, name: "Viewed", userId: "u1", anonymousId: nil,
                    previousId: nil, timestamp: start + Millis(index), receivedAt: start + Millis(index),
                    traits: index == 1 ? ["tier": "gold"] : nil, consent: nil))
        }
        let event = Event(
            seq: 4, messageId: "m4", type: .track, name: "Viewed", userId: "u1", anonymousId: nil, previousId: nil,
            timestamp: start + 10, receivedAt: start + 10, traits: nil, consent: nil)
        let now = start + 10

        /// The context a trigger rule is tested in: the event's, filled with what the rule reads.
        func filled(_ reads: ProfileReads, _ features: FeatureSelection, person: String = "u:u1") -> EvaluationContext? {
            var context = EvaluationContext(event, now: now)
            return book.fill(&context, idKey: person, profile: reads, features: features) ? context : nil
        }
        let bare = try #require(filled(.none, FeatureSelection(ids: ["views"], in: book.features)))
        #expect(bare.profile == nil)
        #expect(bare.features == ["views": .number(3)])
        #expect(bare.segments == ["viewers"])
        #expect(bare.eventName == "Viewed")

        let traits = try #require(filled(.traits, .empty))
        #expect(traits.profile?["traits"] == .object(["tier": "gold"]))
        #expect(traits.profile?["eventCounts"] == nil)
        #expect(traits.features.isEmpty)

        let full = try #require(filled(.full, FeatureSelection(ids: ["views"], in: book.features)))
        let reference = book.expressionContext(try #require(book.profile(idKey: "u:u1")), event: event, now: now)
        #expect(full.profile == reference.profile)
        #expect(full.features == reference.features && full.segments == reference.segments)
        for rule in ["profile.traits.tier == \"gold\" && features.views == 3", "profile.eventCounts[\"Viewed\"] == 3", "\"viewers\" in segments"] {
            let expression = try Expression.compile(rule, environment: book.features.environment)
            #expect(expression.matches(full) && expression.matches(reference), "\(rule)")
        }

        #expect(filled(.full, .empty, person: "u:nobody") == nil)
        // A selection made in another set (definitions changed since) is resolved again by name.
        let stale = FeatureSelection(ids: ["views", "gone"], in: try FeatureSet.compile([.init(id: "views", aggregation: .count)]))
        let again = try #require(filled(.none, stale))
        #expect(again.features == ["views": .number(3)])
    }

    @Test func applyHandsBackTheSegmentContextWithWhatTheConditionsRead() throws {
        let book = ProfileBook()
        book.install(
            try FeatureSet.compile([
                .init(id: "views", aggregation: .count, filter: "event.name == \"Viewed\""),
                .init(id: "last", aggregation: .last, value: "event.properties.page"),
            ]))
        book.install(try SegmentSet.compile([.init(id: "viewers", condition: "features.views >= 2")], features: book.features), now: 0)
        let start: Millis = 1_800_000_000_000
        func viewed(_ index: Int) -> Event {
            var event = Event(
                seq: Int64(index), messageId: "m\(index)", type: .track, name: "Viewed", userId: "u1", anonymousId: nil,
                previousId: nil, timestamp: start + Millis(index), receivedAt: start + Millis(index),
                traits: index == 1 ? ["tier": "gold"] : nil, consent: nil)
            event.json = ["type": "track", "event": "Viewed", "userId": "u1", "properties": ["page": .string("p\(index)")]]
            return event
        }
        // The segments read `views`; the conditions read `last` and the traits.
        let conditions = ConditionReads(profile: .traits, features: FeatureSelection(ids: ["last", "views"], in: book.features))
        #expect(book.apply(viewed(1), conditions: conditions).context?.segments == [])
        let second = book.apply(viewed(2), conditions: conditions)
        #expect(second.transitions.map(\.segment) == ["viewers"])
        let context = try #require(second.context)
        // The same as the context filled after the event, plus the event itself.
        var filled = EvaluationContext(viewed(2), now: start + 2)
        #expect(book.fill(&filled, idKey: "u:u1", profile: .traits, features: conditions.features))
        #expect(context.features == filled.features && context.features == ["views": .number(2), "last": .string("p2")])
        #expect(context.profile == filled.profile && context.segments == filled.segments && context.segments == ["viewers"])
        #expect(context.event == filled.event && context.eventName == "Viewed")
        // Without conditions nothing is gathered for them; Kairos' own records are not evaluated.
        #expect(book.apply(viewed(3), conditions: nil).context == nil)
        let record = Event.segmentRecord(second.transitions[0], receivedAt: start + 4)
        #expect(book.apply(record, conditions: conditions).context == nil)
        // Conditions that do not read `segments` (nor do the segments) are not given the names.
        var blind = conditions
        blind.segments = false
        let fourth = try #require(book.apply(viewed(4), conditions: blind).context)
        #expect(fourth.segments.isEmpty && fourth.features["views"] == .number(4))
        #expect(try #require(book.apply(viewed(5), conditions: conditions).context).segments == ["viewers"])
    }

    @Test func segmentsReadingSegmentsSeeTheMembershipsOfTheSameEvent() throws {
        let book = ProfileBook()
        book.install(try FeatureSet.compile([.init(id: "views", aggregation: .count, filter: "event.name == \"Viewed\"")]))
        book.install(
            try SegmentSet.compile(
                [.init(id: "viewers", condition: "features.views >= 2"), .init(id: "keen", condition: "\"viewers\" in segments")],
                features: book.features), now: 0)
        func viewed(_ index: Int64) -> Event {
            Event(seq: index, messageId: "m\(index)", type: .track, name: "Viewed", userId: "u1", timestamp: index, receivedAt: index)
        }
        #expect(book.apply(viewed(1), conditions: nil).transitions.isEmpty)
        #expect(book.apply(viewed(2), conditions: nil).transitions.map(\.segment) == ["viewers", "keen"])
    }

    @Test func aTrackEventsNameIsReadFromItsColumnUntilTheEventIsReplaced() throws {
        let stored = Event(
            seq: 1, messageId: "m1", type: .track, name: "Product Viewed", userId: "u1", anonymousId: nil, previousId: nil,
            timestamp: 1_000, receivedAt: 1_000, traits: nil, consent: nil)
        var context = EvaluationContext(stored, now: 2_000)
        #expect(context.eventName == "Product Viewed")
        #expect(context.event?["event"] == "Product Viewed")  // rebuilt from the columns
        let rule = try Expression.compileCondition(#"event.name == "Product Viewed""#)
        #expect(rule.matches(context))
        context.event = .object(["type": "page", "name": "Home"])
        #expect(context.eventName == nil)
        #expect(!rule.matches(context))
        #expect(try Expression.compileCondition(#"event.name == "Home""#).matches(context))
        let page = Event(
            seq: 2, messageId: "m2", type: .page, name: "Home", userId: "u1", anonymousId: nil, previousId: nil,
            timestamp: 1_000, receivedAt: 1_000, traits: nil, consent: nil)
        #expect(EvaluationContext(page, now: 2_000).eventName == nil)
    }
}
