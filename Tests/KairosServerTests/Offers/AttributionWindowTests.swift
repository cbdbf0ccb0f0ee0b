import Foundation
import KairosCore
import KairosEngine
import KairosStore
import Logging
import Testing

/// Impressions whose attribution window closes without an outcome are learned as negatives when
/// their own window closes, whatever the windows of the placements decided before them.
@Suite struct AttributionWindowTests {
    @Test func aShortWindowClosesOnTimeBehindALongOne() async throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteStore(directory: directory)
        let history = ActionHistory()
        let engine = OfferEngine(store: store, history: history, ledger: BudgetLedger(store: store, history: history, logger: Logger(label: "t")))
        var offer = OfferDefinition(id: "o", issue: "i", group: "g", channels: ["web": .object([:])])
        offer.value = .constant(1)
        engine.install(try OfferSet.compile([offer], features: .empty))
        var long = PlacementDefinition(id: "long", limit: 1)
        long.actions = ActionArbitration(channel: "web", exploration: .greedy, attributionWindow: 3_600_000)
        var short = PlacementDefinition(id: "short", limit: 1)
        short.actions = ActionArbitration(channel: "web", exploration: .greedy, attributionWindow: 1_000)
        let placements = try PlacementSet.compile([long, short], features: .empty)
        let now = Timestamp.now()
        for (index, id) in ["long", "short"].enumerated() {
            let result = try await engine.decide(
                placement: placements.placements[id]!, profile: nil, context: EvaluationContext(now: now), requestContext: [:],
                limit: 1, decisionId: "d\(index)")
            #expect(result.chosen.count == 1)
        }
        #expect(engine.expire(now: now + 999) == 0)
        #expect(engine.expire(now: now + 1_000) == 1)  // the short one, though the long one came first
        #expect(engine.pendingImpressions == 1)
        #expect(engine.expire(now: now + 3_600_000) == 1)
        #expect(engine.pendingImpressions == 0)
    }
}
