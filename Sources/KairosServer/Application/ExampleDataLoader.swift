import Foundation
import KairosCore
import KairosEngine
import KairosStore
import Logging
import ServiceLifecycle

/// Loads the bundled example catalog and events once the profiles are ready (quick start).
/// Idempotent: the example events carry fixed `messageId`s.
struct ExampleDataLoader: Service {
    let pipeline: IngestPipeline
    let logger: Logger

    func run() async throws {
        while !pipeline.isReady {
            try await Task.sleep(for: .milliseconds(20))
        }
        let now = Timestamp.now()
        var items: [Item] = []
        for line in try Self.lines("items") {
            items.append(try Item.parse(try JSONParser.parse(line), now: now))
        }
        try await pipeline.store.putItems(items)
        let parser = EventParser()
        var events: [Event] = []
        for line in try Self.lines("events") {
            events.append(
                try parser.parse(
                    try JSONParser.parse(line), impliedType: nil, receivedAt: now, makeMessageId: { UUID().uuidString }))
        }
        let outcomes = try await pipeline.submit(events)
        let stored = outcomes.filter { if case .stored = $0 { true } else { false } }.count
        print("Example data: \(items.count) items, \(events.count) events (\(stored) new).")
        logger.info("example data loaded", metadata: ["items": "\(items.count)", "events": "\(stored)"])
        try await gracefulShutdown()
    }

    static func lines(_ name: String) throws -> [String] {
        guard let url = Bundle.module.url(forResource: name, withExtension: "ndjson", subdirectory: "Resources/example")
        else { throw APIError(status: 500, code: "internal_error", message: "example data '\(name)' is missing") }
        return try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init)
            .filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
    }
}
