import ArgumentParser
import AsyncHTTPClient
import Foundation
import KairosCore

/// `kairos simulate`: generate a realistic shop (catalog and visitors' events) into files or a server.
struct Simulate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate a realistic shop: a catalog and its visitors' events, to files or to a running server.",
        discussion: """
            --out DIR writes DIR/items.ndjson and DIR/events.ndjson for `kairos import`; --url sends the catalog to
            POST /v1/items and the events, in time order, to POST /v1/batch (items arriving later are stored as the
            stream reaches them). The same options, seed and --start give the same output, byte for byte.
            """)

    private static let defaults = ShopSimulation.Configuration()

    @Option(help: "People who may visit (known customers and anonymous-only visitors).")
    var users: Int = defaults.users

    @Option(help: "Catalog items over the period.")
    var items: Int = defaults.items

    @Option(help: "Length of the period in days.")
    var days: Int = defaults.days

    @Option(help: "Seed of every random choice.")
    var seed: UInt64 = defaults.seed

    @Option(help: "Start of the period: a date (2026-11-01, midnight UTC) or an ISO 8601 time (default: days before today's midnight UTC, so the period ends today).")
    var start: String?

    @Option(help: "Average sessions per user per day.")
    var sessionsPerDay: Double = defaults.sessionsPerUserPerDay

    @Option(help: "Share of visitors who never log in (0-1).")
    var anonymousShare: Double = defaults.anonymousShare

    @Option(help: "Share of known customers' sessions that start logged out and log in (0-1).")
    var loginShare: Double = defaults.loginShare

    @Option(help: "Share of items in the catalog at the start; the others arrive during the period (0-1).")
    var initialItemShare: Double = defaults.initialItemShare

    @Option(help: "Departments (1-\(ShopSimulation.Configuration.maxDepartments)).")
    var departments: Int = defaults.departments

    @Option(help: "Categories per department (1-\(ShopSimulation.Configuration.maxCategoriesPerDepartment)).")
    var categoriesPerDepartment: Int = defaults.categoriesPerDepartment

    @Option(help: "Brands.")
    var brands: Int = defaults.brands

    @Option(help: "Currency of prices (ISO 4217).")
    var currency: String = defaults.currency

    @Option(help: "Directory to write items.ndjson and events.ndjson into.")
    var out: String?

    @Option(help: "Base URL of a running Kairos server to send the shop to, e.g. http://127.0.0.1:8080.")
    var url: String?

    @Option(help: "Write key for POST /v1/batch (with --url).")
    var writeKey: String?

    @Option(help: "Secret key for POST /v1/items (with --url).")
    var secretKey: String?

    @Option(help: "Events (or items) per request (with --url).")
    var batchSize: Int = 500

    @Option(help: "Requests in flight at once (with --url); a person's events always go in order.")
    var concurrency: Int = 4

    func validate() throws {
        guard (out == nil) != (url == nil) else { throw ValidationError("pass exactly one of --out DIR or --url URL") }
        if url != nil, writeKey == nil || secretKey == nil {
            throw ValidationError("--url needs --write-key (for events) and --secret-key (for items)")
        }
        if let start, Timestamp.parse(start) == nil {
            throw ValidationError("--start must be a date such as 2026-11-01 or a time such as 2026-11-01T08:00:00Z")
        }
        guard (1...10_000).contains(batchSize) else { throw ValidationError("--batch-size must be between 1 and 10000") }
        guard (1...64).contains(concurrency) else { throw ValidationError("--concurrency must be between 1 and 64") }
        if let problem = shopConfiguration().problems.first { throw ValidationError(problem) }
    }

    func shopConfiguration() -> ShopSimulation.Configuration {
        let today = Timestamp.now() / 86_400_000 * 86_400_000
        return ShopSimulation.Configuration(
            users: users, items: items, days: days,
            start: start.flatMap(Timestamp.parse) ?? today - Millis(max(days, 0)) * 86_400_000,
            sessionsPerUserPerDay: sessionsPerDay, seed: seed, anonymousShare: anonymousShare, loginShare: loginShare,
            initialItemShare: initialItemShare, departments: departments,
            categoriesPerDepartment: categoriesPerDepartment, brands: brands, currency: currency)
    }

    func run() async throws {
        let simulation = ShopSimulation(shopConfiguration())
        var summary = Summary()
        let began = Date()
        if let out {
            try write(simulation, to: out, summary: &summary)
        } else if let url, let writeKey, let secretKey {
            let end = simulation.configuration.start + Millis(simulation.configuration.days) * 86_400_000
            if end > Timestamp.now() + 86_400_000 {
                throw Sender.Refused(
                    description: "the period ends on \(Timestamp.format(end)), more than a day from now; a server refuses such "
                        + "events: pass an earlier --start")
            }
            let sender = Sender(base: url, writeKey: writeKey, secretKey: secretKey, batchSize: batchSize)
            try await send(simulation, with: sender, summary: &summary)
        }
        summary.print(simulation: simulation, seconds: Date().timeIntervalSince(began), out: out)
    }

    // MARK: - Files

    private func write(_ simulation: ShopSimulation, to directory: String, summary: inout Summary) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let itemsFile = try LineFile(path: directory + "/items.ndjson")
        for item in simulation.items() { try itemsFile.write(item) }
        try itemsFile.close()
        let eventsFile = try LineFile(path: directory + "/events.ndjson")
        let progress = ProgressBar(label: "Simulating")
        defer { progress.finish() }
        for day in simulation.days() {
            summary.sessions += day.sessions
            for entry in day where entry.kind == .event {
                try eventsFile.write(entry.json)
                summary.count(entry)
                if summary.events % 1024 == 0 {
                    progress.update(
                        phase: "\(grouped(summary.events)) events, day", done: day.index + 1,
                        total: simulation.configuration.days)
                }
            }
        }
        try eventsFile.close()
    }

    // MARK: - A server

    /// Sends in rounds of `concurrency` × `batchSize` events: a round's events are split by person
    /// into `concurrency` lanes sent in parallel, and the next round starts only once the previous one
    /// is stored, so each person's events arrive in order. Items arriving during a round are stored
    /// before its events. The next round is generated while the previous one is being sent.
    private func send(_ simulation: ShopSimulation, with sender: Sender, summary: inout Summary) async throws {
        let initial = simulation.initialItems()
        for start in stride(from: 0, to: initial.count, by: batchSize) {
            let stored = try await sender.postItems(Array(initial[start..<min(start + batchSize, initial.count)]))
            summary.add(Sender.Outcome(items: stored))
        }
        var lanes = [[JSONValue]](repeating: [], count: concurrency)
        var arrivals: [JSONValue] = []
        var pending = 0
        var inFlight: Task<Sender.Outcome, any Error>?
        let progress = ProgressBar(label: "Simulating")
        defer { progress.finish() }

        func flush() async throws {
            if let inFlight { summary.add(try await inFlight.value) }
            let (batches, items) = (lanes, arrivals)
            lanes = [[JSONValue]](repeating: [], count: concurrency)
            arrivals = []
            pending = 0
            inFlight = Task { try await sender.sendRound(items: items, lanes: batches) }
        }

        for day in simulation.days() {
            summary.sessions += day.sessions
            for entry in day {
                guard entry.kind == .event else {
                    arrivals.append(entry.json)
                    continue
                }
                let person = (entry.json["userId"] ?? entry.json["anonymousId"])?.stringValue ?? ""
                let lane = (Int(person.dropFirst(2)) ?? 0) % concurrency
                lanes[lane].append(entry.json)
                pending += 1
                summary.count(entry)
                if pending >= batchSize * concurrency { try await flush() }
                if summary.events % 1024 == 0 {
                    progress.update(
                        phase: "\(grouped(summary.events)) events, day", done: day.index + 1,
                        total: simulation.configuration.days)
                }
            }
        }
        try await flush()
        if let inFlight { summary.add(try await inFlight.value) }
    }
}

/// What `kairos simulate` produced.
private struct Summary {
    var events = 0
    var byName: [String: Int] = [:]
    var sessions = 0
    var orders = 0
    var revenueCents = 0
    var first: Millis?
    var last: Millis?
    var sent: Sender.Outcome?

    mutating func count(_ entry: ShopSimulation.Entry) {
        events += 1
        let name = entry.json["event"]?.stringValue ?? entry.json["type"]?.stringValue ?? "?"
        byName[name, default: 0] += 1
        if name == "Order Completed" {
            orders += 1
            revenueCents += Int(((entry.json["properties"]?["revenue"]?.numberValue ?? 0) * 100).rounded())
        }
        if first == nil { first = entry.time }
        last = entry.time
    }

    mutating func add(_ outcome: Sender.Outcome) {
        sent = (sent ?? Sender.Outcome()).merged(with: outcome)
    }

    func print(simulation: ShopSimulation, seconds: Double, out: String?) {
        let configuration = simulation.configuration
        let arriving = simulation.catalog.products.filter { $0.createdAt >= configuration.start }.count
        say(
            "Simulated \(grouped(configuration.users)) users and \(grouped(configuration.items)) items "
                + "(\(grouped(configuration.items - arriving)) at the start, \(grouped(arriving)) arriving) over "
                + "\(configuration.days) days from \(Timestamp.format(configuration.start)), seed \(configuration.seed).")
        if let first, let last { say("Events from \(Timestamp.format(first)) to \(Timestamp.format(last)).") }
        say(
            "Sessions: \(grouped(sessions)); orders: \(grouped(orders)), revenue "
                + String(format: "%.2f", Double(revenueCents) / 100) + " \(configuration.currency).")
        say("Events: \(grouped(events))")
        for (name, count) in byName.sorted(by: { ($0.value, $1.key) > ($1.value, $0.key) }) {
            say("  \(name): \(grouped(count))")
        }
        let rate = Int(Double(events) / max(seconds, 0.001))
        if let out {
            say("Wrote \(out)/items.ndjson and \(out)/events.ndjson in \(String(format: "%.1f", seconds)) s (\(grouped(rate)) events/s).")
            say("Load them with: kairos import \(out)/items.ndjson && kairos import \(out)/events.ndjson")
        }
        if let sent {
            say(
                "Sent in \(String(format: "%.1f", seconds)) s (\(grouped(rate)) events/s): \(grouped(sent.accepted)) accepted, "
                    + "\(grouped(sent.duplicates)) duplicates, \(grouped(sent.rejected)) rejected; \(grouped(sent.items)) items stored.")
            for error in sent.errors { say("  \(error)") }
        }
    }
}

/// Sends items and event batches to a server, retrying what may succeed on a second try.
private struct Sender: Sendable {
    struct Outcome: Sendable {
        var accepted = 0
        var duplicates = 0
        var rejected = 0
        var items = 0
        var errors: [String] = []

        func merged(with other: Outcome) -> Outcome {
            Outcome(
                accepted: accepted + other.accepted, duplicates: duplicates + other.duplicates,
                rejected: rejected + other.rejected, items: items + other.items,
                errors: errors + other.errors.prefix(max(0, 10 - errors.count)))
        }
    }

    struct Refused: Error, CustomStringConvertible {
        var description: String
    }

    let base: String
    let writeKey: String
    let secretKey: String
    let batchSize: Int

    /// Stores `items`, then sends each lane's events in order (lanes in parallel).
    func sendRound(items: [JSONValue], lanes: [[JSONValue]]) async throws -> Outcome {
        var outcome = Outcome()
        for start in stride(from: 0, to: items.count, by: batchSize) {
            outcome.items += try await postItems(Array(items[start..<min(start + batchSize, items.count)]))
        }
        return try await withThrowingTaskGroup(of: Outcome.self) { group in
            for lane in lanes where !lane.isEmpty {
                group.addTask {
                    var result = Outcome()
                    for start in stride(from: 0, to: lane.count, by: batchSize) {
                        let batch = Array(lane[start..<min(start + batchSize, lane.count)])
                        let answer = try await post("/v1/batch", ["batch": .array(batch)], key: writeKey)
                        result.accepted += Int(answer["accepted"]?.numberValue ?? 0)
                        result.duplicates += Int(answer["duplicates"]?.numberValue ?? 0)
                        for rejection in answer["rejected"]?.arrayValue ?? [] {
                            result.rejected += 1
                            if result.errors.count < 10 { result.errors.append(JSONWriter.string(rejection)) }
                        }
                    }
                    return result
                }
            }
            for try await result in group { outcome = outcome.merged(with: result) }
            return outcome
        }
    }

    /// Stores `items` with `POST /v1/items`; returns how many were stored.
    func postItems(_ items: [JSONValue]) async throws -> Int {
        let answer = try await post("/v1/items", ["items": .array(items)], key: secretKey)
        if let rejected = answer["rejected"]?.arrayValue, let first = rejected.first {
            throw Refused(description: "POST /v1/items rejected \(rejected.count) items, the first: \(JSONWriter.string(first))")
        }
        return Int(answer["stored"]?.numberValue ?? 0)
    }

    /// POSTs `body`; retries connection errors, 429 and 5xx with exponential backoff (8 tries);
    /// any other 4xx stops with the server's answer.
    func post(_ path: String, _ body: JSONValue, key: String) async throws -> JSONValue {
        let bytes = JSONWriter.bytes(body, sortedKeys: false)
        let authorization = "Basic " + Data((key + ":").utf8).base64EncodedString()
        var attempt = 0
        while true {
            var request = HTTPClientRequest(url: base + path)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "Authorization", value: authorization)
            request.body = .bytes(bytes)
            var problem: String
            do {
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
                let answer = try await response.body.collect(upTo: 16 << 20)
                let text = String(decoding: answer.readableBytesView, as: UTF8.self)
                let status = Int(response.status.code)
                if (200..<300).contains(status) { return (try? JSONParser.parse(text)) ?? .null }
                guard status == 429 || status >= 500 else {
                    throw Refused(description: "POST \(path) answered \(status): \(text)")
                }
                problem = "POST \(path) answered \(status): \(text)"
            } catch let refused as Refused {
                throw refused
            } catch {
                problem = "POST \(base + path) failed: \(error)"
            }
            attempt += 1
            guard attempt < 8 else { throw Refused(description: problem + " (gave up after \(attempt) tries)") }
            try await Task.sleep(for: .milliseconds(min(200 << attempt, 10_000)))
        }
    }
}

/// A file of JSON lines, written through a buffer.
private final class LineFile {
    private let handle: FileHandle
    private var buffer: [UInt8] = []

    init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw ValidationError("cannot write \(path)")
        }
        self.handle = handle
        buffer.reserveCapacity(1 << 20)
    }

    func write(_ value: JSONValue) throws {
        JSONWriter.write(value, into: &buffer)
        buffer.append(0x0A)
        if buffer.count >= 1 << 20 {
            try handle.write(contentsOf: buffer)
            buffer.removeAll(keepingCapacity: true)
        }
    }

    func close() throws {
        try handle.write(contentsOf: buffer)
        try handle.close()
    }
}

/// `1234567` as `1,234,567` (counts are never negative).
private func grouped(_ number: Int) -> String {
    let digits = String(number)
    var result = ""
    for (position, digit) in digits.enumerated() {
        if position > 0, (digits.count - position) % 3 == 0 { result.append(",") }
        result.append(digit)
    }
    return result
}
