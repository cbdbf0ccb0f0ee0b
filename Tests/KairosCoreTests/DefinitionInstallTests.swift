import Testing

@testable import KairosCore

/// Putting new definitions in force walks every profile of every shard in place.
@Suite struct DefinitionInstallTests {
    @Test func aRetiredFeatureLeavesNoStateAndANewSegmentCountsEveryProfile() throws {
        let book = ProfileBook()
        let views = FeatureDefinition(id: "views", aggregation: .count, filter: "event.name == \"Viewed\"")
        let sessions = FeatureDefinition(id: "session_views", aggregation: .sessionEvents)
        let both = try FeatureSet.compile([views, sessions])
        book.install(both)
        let start: Millis = 1_800_000_000_000
        for person in 0..<500 {
            for step in 0..<(person % 3 + 1) {
                let seq = Int64(person * 10 + step + 1)
                book.apply(
                    Event(
                        seq: seq, messageId: "m\(seq)", type: .track, name: "Viewed", userId: "u\(person)", anonymousId: nil,
                        previousId: nil, timestamp: start + seq, receivedAt: start + seq, traits: nil, consent: nil))
            }
        }
        let retiredSlot = try #require(both.feature(id: "session_views")).slot
        book.install(try FeatureSet.compile([views], previous: both))
        var left = 0
        book.forEach { profile in
            left += profile.features.cells.filter { $0.slot == retiredSlot }.count
        }
        #expect(left == 0)
        #expect(book.profile(id: "u4")?.features.values(book.features, now: start + 100)["views"] == .number(2))

        book.install(try SegmentSet.compile([.init(id: "repeat", condition: "features.views >= 2")], features: book.features), now: start + 10_000)
        // People 1, 2, 4, 5, ... viewed two or three times: two thirds of 500 (rounded down).
        #expect(book.segmentSizes == ["repeat": 333])
        #expect(Array(try #require(book.profile(id: "u2")).segments).count == 1)
        #expect(try #require(book.profile(id: "u3")).segments.isEmpty)
    }
}
