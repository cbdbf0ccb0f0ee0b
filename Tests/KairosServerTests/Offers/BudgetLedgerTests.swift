import Foundation
import KairosCore
import KairosEngine
import KairosStore
import Logging
import Testing

@Suite struct BudgetLedgerTests {
    static func offers(perDay: Int) throws -> OfferSet {
        var offer = OfferDefinition(id: "capped", issue: "i", group: "g", channels: ["web": .object([:])])
        offer.budget = .init(perDay: perDay)
        return try OfferSet.compile([offer], features: .empty)
    }

    /// Runs `body` with a ledger on a fresh store, removed afterwards.
    static func withLedger(_ body: (SQLiteStore, BudgetLedger) async throws -> Void) async throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteStore(directory: directory)
        try await body(store, BudgetLedger(store: store, history: ActionHistory(), logger: Logger(label: "t")))
    }

    @Test func reservationsAreDurableOnceAwaitedAndAWaiterAfterStopFailsInsteadOfHanging() async throws {
        try await Self.withLedger { store, ledger in
            let offers = try Self.offers(perDay: 2)
            let now = Timestamp.now()
            let running = Task { try await ledger.run() }
            #expect(ledger.reserve(offers.offers, in: offers, now: now) == [true])
            #expect(ledger.reserve(offers.offers, in: offers, now: now) == [true])
            #expect(ledger.reserve(offers.offers, in: offers, now: now) == [false])
            #expect(ledger.exhausted(offers, now: now) == [0])
            try await ledger.waitUntilDurable()
            let day = now / 86_400_000
            #expect(try await store.budgetUse(day: day)["offer:capped"]?.day == 2)
            // The next day starts afresh; the total is kept.
            #expect(ledger.exhausted(offers, now: now + 86_400_000).isEmpty)
            #expect(ledger.use(offer: "capped", now: now + 86_400_000) == ["today": 0, "total": 2])
            // A waiter that comes when the writer is idle is answered by the next write, not by the
            // writer's timed round (a second).
            try await Task.sleep(for: .milliseconds(50))
            let started = ContinuousClock.now
            for _ in 0..<5 { try await ledger.waitUntilDurable() }
            #expect(ContinuousClock.now - started < .milliseconds(900))
            running.cancel()
            try await running.value
            await #expect(throws: APIError.self) { try await ledger.waitUntilDurable() }
        }
    }

    @Test func aWaitingDecisionsReservationIsDurableWhenItReturnsAndPiledUpTouchesAreStoredToo() async throws {
        try await Self.withLedger { store, ledger in
            let offers = try Self.offers(perDay: 5)
            let now = Timestamp.now()
            let touches = (0..<2_000).map {
                PersonTouch(person: "p\($0)", touch: ActionTouch(offer: "capped", kind: .impression, time: now))
            }
            // Nothing runs the ledger yet: the work piles up as under load, then one round takes it all.
            ledger.record(touches, now: now)
            #expect(ledger.reserve(offers.offers, in: offers, now: now) == [true])
            let running = Task { try await ledger.run() }
            try await ledger.waitUntilDurable()
            #expect(try await store.budgetUse(day: now / 86_400_000)["offer:capped"]?.day == 1)
            var stored = 0
            for _ in 0..<200 {
                stored = try await store.personTouches(since: now - 1).count
                if stored == touches.count { break }
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(stored == touches.count)
            running.cancel()
            try await running.value
        }
    }
}
