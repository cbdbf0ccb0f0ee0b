import Configuration
import KairosCore
import KairosEngine

/// Everything `kairos serve` can be told, with working defaults.
///
/// Read from a `ConfigReader` whose providers are, in order of precedence: command-line flags,
/// `KAIROS_*` environment variables, then an optional YAML file (see `docs/configuration.md`).
public struct KairosConfiguration: Sendable {
    /// Interface to listen on (default `127.0.0.1`).
    public var host: String
    /// TCP port (default 8080).
    public var port: Int
    /// Where the SQLite database lives (default `./kairos-data`).
    public var dataDirectory: String
    /// Write keys: may only send events. With no keys at all, a pair is generated on first start.
    public var writeKeys: [String]
    /// Secret keys: may do everything (read profiles, manage the catalog, administer, ingest).
    public var secretKeys: [String]
    /// Event and request size limits.
    public var limits: IngestLimits
    /// Recent events kept per profile (default 20).
    public var recentEventLimit: Int
    /// Most events waiting for a commit before clients get 429 (default 200,000).
    public var maxQueuedEvents: Int
    /// Smallest commit group applied to the profiles on two threads (default 256; a value larger
    /// than any group keeps the writer on one thread).
    public var minimumParallelGroup: Int = 256
    /// Load the bundled example data set and accept the demo keys (quick start only).
    public var exampleData: Bool
    /// A YAML file of definitions (features, ...) loaded at start; they win over stored ones.
    public var definitionsFile: String?
    /// Triggers and delivery: allowed webhook hosts, retries, the cross-channel cap.
    public var delivery: DeliveryConfiguration
    /// How long decisions, finished messages and resolved trigger waits are kept.
    public var retention = RetentionSweeper.Configuration()
    /// Key of the in-app stream tokens; generated and kept in the data directory when not set.
    public var streamSecret: String?
    /// Which events are item interactions, with what weight and kind: the Segment e-commerce names,
    /// plus or overridden by `recommendations.interactions` (`NAME=WEIGHT:KIND[:conversion]`).
    public var interactions: InteractionMapping = .standard
    /// Sessions the session model keeps (`recommendations.sessions`, default 50,000, at least
    /// 1,000): size it to the people active within 30 minutes at peak.
    public var sessionCapacity: Int = 50_000

    public init(
        host: String = "127.0.0.1", port: Int = 8080, dataDirectory: String = "./kairos-data",
        writeKeys: [String] = [], secretKeys: [String] = [], limits: IngestLimits = IngestLimits(),
        recentEventLimit: Int = 20, maxQueuedEvents: Int = 200_000, exampleData: Bool = false
    ) {
        self.host = host
        self.port = port
        self.dataDirectory = dataDirectory
        self.writeKeys = writeKeys
        self.secretKeys = secretKeys
        self.limits = limits
        self.recentEventLimit = recentEventLimit
        self.maxQueuedEvents = maxQueuedEvents
        self.exampleData = exampleData
        self.definitionsFile = nil
        self.delivery = DeliveryConfiguration()
        self.streamSecret = nil
    }

    /// Reads every setting from `reader`, falling back to the defaults above. A delivery setting
    /// that is present but does not parse is an error (a contact cap must never be dropped silently).
    public init(reader: ConfigReader) throws(APIError) {
        let defaults = KairosConfiguration()
        self.init(
            host: reader.string(forKey: "host", default: defaults.host),
            port: reader.int(forKey: "port", default: defaults.port),
            dataDirectory: reader.string(forKey: "data.directory", default: defaults.dataDirectory),
            writeKeys: reader.stringArray(forKey: "keys.write", isSecret: true, default: []),
            secretKeys: reader.stringArray(forKey: "keys.secret", isSecret: true, default: []),
            limits: IngestLimits(
                maxEventBytes: reader.int(forKey: "limits.maxEventBytes", default: defaults.limits.maxEventBytes),
                maxRequestBytes: reader.int(forKey: "limits.maxRequestBytes", default: defaults.limits.maxRequestBytes)
            ),
            recentEventLimit: reader.int(forKey: "profiles.recentEvents", default: defaults.recentEventLimit),
            maxQueuedEvents: reader.int(forKey: "ingest.maxQueuedEvents", default: defaults.maxQueuedEvents),
            exampleData: reader.bool(forKey: "exampleData", default: false)
        )
        minimumParallelGroup = reader.int(forKey: "ingest.minimumParallelGroup", default: defaults.minimumParallelGroup)
        sessionCapacity = reader.int(forKey: "recommendations.sessions", default: defaults.sessionCapacity)
        guard sessionCapacity >= 1_000 else {
            throw APIError.invalidField(
                "recommendations.sessions",
                "configuration 'recommendations.sessions': \(sessionCapacity) is below 1,000 (too few sessions for neighbours to be found)")
        }
        guard minimumParallelGroup >= 2 else {
            throw APIError.invalidField(
                "ingest.minimumParallelGroup",
                "configuration 'ingest.minimumParallelGroup': \(minimumParallelGroup) is below 2 (a group of one event has nothing to share)")
        }
        definitionsFile = reader.string(forKey: "definitions.file")
        streamSecret = reader.string(forKey: "stream.secret", isSecret: true)
        if let hosts = reader.stringArray(forKey: "delivery.allowedHosts") {
            delivery.allowedHosts = Set(hosts.map { $0.lowercased() })
        }
        func duration(_ key: String) throws(APIError) -> Millis? {
            guard let text = reader.string(forKey: ConfigKey(key)) else { return nil }
            guard let millis = ExpressionDuration.parsePositive(text) else {
                throw APIError.invalidField(key, "configuration '\(key)': '\(text)' is not a duration such as 500ms, 30s or 5m")
            }
            return millis
        }
        if let entries = reader.stringArray(forKey: "recommendations.interactions") {
            interactions = try InteractionMapping.standard(with: entries, field: "recommendations.interactions")
        }
        // A retention is a duration, or "forever" to keep the records.
        func keep(_ key: String, _ current: Millis?) throws(APIError) -> Millis? {
            guard let text = reader.string(forKey: ConfigKey(key)) else { return current }
            if text.lowercased() == "forever" { return nil }
            guard let millis = ExpressionDuration.parsePositive(text) else {
                throw APIError.invalidField(key, "configuration '\(key)': '\(text)' is not a duration such as 30d, or 'forever'")
            }
            return millis
        }
        retention.decisions = try keep("retention.decisions", retention.decisions)
        retention.messages = try keep("retention.messages", retention.messages)
        retention.waits = try keep("retention.waits", retention.waits)
        if let interval = try duration("retention.interval") { retention.interval = .milliseconds(interval) }
        if let base = try duration("delivery.retryBase") { delivery.retryBase = base }
        if let longest = try duration("delivery.maxRetryDelay") { delivery.maxRetryDelay = longest }
        if let cap = reader.string(forKey: "delivery.crossChannelCap") {
            // "COUNT/WINDOW", e.g. "5/24h"
            let parts = cap.split(separator: "/")
            guard parts.count == 2, let count = Int(parts[0]), count >= 0,
                let window = ExpressionDuration.parsePositive(String(parts[1]))
            else {
                throw APIError.invalidField(
                    "delivery.crossChannelCap", "configuration 'delivery.crossChannelCap': '\(cap)' is not COUNT/WINDOW such as 5/24h")
            }
            delivery.crossChannelCap = .init(count: count, window: window)
        }
    }
}
