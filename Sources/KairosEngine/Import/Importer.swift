import Crypto
import Foundation
import KairosCore
import KairosStore

/// Imports history from files into a data directory: events and profile traits through the
/// ingest pipeline (so identities, consent and deduplication work as for live traffic), items
/// straight into the catalog.
///
/// Resumable: the number of records committed is saved after every batch, and a rerun skips them.
/// Idempotent: a record without a `messageId` gets one derived from its content, so records read
/// twice are stored once.
public struct Importer: Sendable {
    /// How far an import got.
    public struct Progress: Sendable {
        public var records: Int
        public var imported: Int
        public var rejected: Int
        public var bytesRead: Int
        public var totalBytes: Int
    }

    /// What an import did.
    public struct Report: Sendable {
        public var records: Int
        public var imported: Int
        public var duplicates: Int
        public var rejected: Int
        /// Records skipped because an earlier run already committed them.
        public var resumedFrom: Int
        /// The first few rejections, as `line N: message`.
        public var errors: [String]
    }

    public let pipeline: IngestPipeline
    public var batchSize: Int
    public var parser: EventParser

    public init(pipeline: IngestPipeline, batchSize: Int = 1000, parser: EventParser = EventParser()) {
        self.pipeline = pipeline
        self.batchSize = batchSize
        self.parser = parser
    }

    /// Imports `path`; calls `progress` after every batch.
    public func run(
        path: String, kind: ImportKind, progress: (Progress) -> Void = { _ in }
    ) async throws -> Report {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        let resumeKey = "import:\(kind.rawValue):\(absolute):\(size)"
        let resumeFrom = Int(try await pipeline.store.metadata(resumeKey) ?? "") ?? 0

        let reader = try RecordReader(path: path)
        var report = Report(records: 0, imported: 0, duplicates: 0, rejected: 0, resumedFrom: resumeFrom, errors: [])
        var pending: [(number: Int, value: JSONValue)] = []
        var lastNumber = 0
        var bytesRead = 0

        func flush() async throws {
            guard !pending.isEmpty else { return }
            try await importBatch(pending, kind: kind, into: &report)
            pending.removeAll(keepingCapacity: true)
            try await pipeline.store.setMetadata(resumeKey, String(lastNumber))
            progress(
                Progress(
                    records: report.records, imported: report.imported, rejected: report.rejected,
                    bytesRead: bytesRead, totalBytes: size))
        }

        while let record = reader.next() {
            lastNumber = record.number
            bytesRead = record.bytesRead
            if record.number <= resumeFrom { continue }
            report.records += 1
            switch record.value {
            case .success(let value): pending.append((record.number, value))
            case .failure(let error): reject(error, line: record.number, in: &report)
            }
            if pending.count >= batchSize { try await flush() }
        }
        try await flush()
        try await pipeline.store.setMetadata(resumeKey, String(lastNumber))
        return report
    }

    private func importBatch(
        _ records: [(number: Int, value: JSONValue)], kind: ImportKind, into report: inout Report
    ) async throws {
        let now = Timestamp.now()
        switch kind {
        case .items:
            var items: [Item] = []
            for record in records {
                do {
                    items.append(try Item.parse(Self.typedItemFields(record.value), now: now))
                } catch {
                    reject(error, line: record.number, in: &report)
                }
            }
            try await pipeline.store.putItems(items)
            report.imported += items.count
        case .events, .profiles:
            var events: [Event] = []
            for record in records {
                do {
                    let value = kind == .profiles ? try Self.identify(from: record.value) : record.value
                    events.append(
                        try parser.parse(
                            value, impliedType: nil, receivedAt: now,
                            makeMessageId: { "import-" + Self.contentHash(value) }))
                } catch {
                    reject(error, line: record.number, in: &report)
                }
            }
            for outcome in try await pipeline.submit(events) {
                if outcome == .duplicate { report.duplicates += 1 } else { report.imported += 1 }
            }
        }
    }

    private func reject(_ error: APIError, line: Int, in report: inout Report) {
        report.rejected += 1
        if report.errors.count < 10 {
            report.errors.append("line \(line): \(error.message)" + (error.field.map { " (field \($0))" } ?? ""))
        }
    }

    /// A profile row as an identify event: `userId`/`anonymousId` columns, everything else traits.
    static func identify(from value: JSONValue) throws(APIError) -> JSONValue {
        guard case .object(var fields) = value else { throw .invalidField("", "a profile must be an object") }
        var event: [String: JSONValue] = ["type": "identify"]
        for key in ["userId", "anonymousId", "messageId", "timestamp"] {
            if let id = fields.removeValue(forKey: key) { event[key] = id }
        }
        if let traits = fields.removeValue(forKey: "traits") {
            guard case .object(let nested) = traits else { throw .invalidField("traits", "'traits' must be an object") }
            fields.merge(nested) { _, nestedValue in nestedValue }
        }
        event["traits"] = .object(fields)
        return .object(event)
    }

    /// CSV gives strings: turn the typed item columns back into numbers, booleans and lists.
    static func typedItemFields(_ value: JSONValue) -> JSONValue {
        guard case .object(var fields) = value else { return value }
        if case .string(let text)? = fields["price"], let number = Double(text) { fields["price"] = .number(number) }
        if case .string(let text)? = fields["available"] {
            switch text.lowercased() {
            case "true", "1", "yes": fields["available"] = true
            case "false", "0", "no": fields["available"] = false
            default: break
            }
        }
        if case .string(let text)? = fields["tags"] {
            fields["tags"] = .array(text.split(whereSeparator: { $0 == "|" || $0 == "," }).map { .string(String($0)) })
        }
        return .object(fields)
    }

    static func contentHash(_ value: JSONValue) -> String {
        Hex.encode(SHA256.hash(data: JSONWriter.bytes(value)).prefix(16))
    }
}
