import KairosCore
import KairosStore
import Logging
import Metrics
import ServiceLifecycle

/// Removes what the store keeps only for a while: logged decisions (with their outcomes), outbox
/// messages that are done with, trigger waits that fired or were cancelled, and offer touches
/// older than the suppression rules look back. Without it these grow with every decision and
/// message for ever (an action decision logs about 8 KB).
///
/// Every ``Configuration/interval`` it deletes, per kind, everything older than its retention, in
/// transactions of at most ``Configuration/batchSize`` rows with a pause between them, so that the
/// ingest writer and the decision log never wait long behind it. SQLite reuses the freed pages, so
/// the file stops growing once the retention is reached (it does not shrink).
public struct RetentionSweeper: Service {
    /// How long each kind of record is kept, and how the sweeps run.
    public struct Configuration: Sendable, Equatable {
        /// Logged decisions and their outcomes (default 30 days; `nil` keeps them for ever). Never
        /// less than 8 days, whatever is set: outcomes are attributed up to a week after their
        /// decision. Outcome reports over a longer period see only what is kept.
        public var decisions: Millis?
        /// Delivered, suppressed and dead messages (default 30 days; `nil` keeps them). Never less
        /// than the longest contact cap's window, whatever is set: the caps count these messages.
        public var messages: Millis?
        /// Fired and cancelled trigger waits (default 7 days; `nil` keeps them).
        public var waits: Millis?
        /// Time between sweeps (default 10 minutes).
        public var interval: Duration
        /// Most rows deleted in one transaction (default 2,000).
        public var batchSize: Int
        /// Pause between two transactions of a sweep (default 20 ms).
        public var pause: Duration

        public init(
            decisions: Millis? = 30 * 86_400_000, messages: Millis? = 30 * 86_400_000, waits: Millis? = 7 * 86_400_000,
            interval: Duration = .seconds(600), batchSize: Int = 2_000, pause: Duration = .milliseconds(20)
        ) {
            self.decisions = decisions
            self.messages = messages
            self.waits = waits
            self.interval = interval
            self.batchSize = batchSize
            self.pause = pause
        }
    }

    let store: any DataStore
    let configuration: Configuration
    /// The longest window of the contact caps in force (channels' and the cross-channel cap).
    let longestContactWindow: @Sendable () -> Millis
    let clock: @Sendable () -> Millis
    let logger: Logger

    public init(
        store: any DataStore, configuration: Configuration = Configuration(),
        longestContactWindow: @escaping @Sendable () -> Millis = { 0 },
        clock: @escaping @Sendable () -> Millis = { Timestamp.now() }, logger: Logger
    ) {
        self.store = store
        self.configuration = configuration
        self.longestContactWindow = longestContactWindow
        self.clock = clock
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    _ = try await sweep()
                } catch is CancellationError {
                    break
                } catch {
                    logger.error("retention sweep failed; retried at the next one", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: configuration.interval)
            }
        }
        logger.info("retention sweeper stopped")
    }

    /// The retention of each kind at this moment (`nil`: kept for ever).
    func retention(of kind: RetainedRecord) -> Millis? {
        switch kind {
        // Outcomes are attributed to decisions up to a week old: never less than that.
        case .decisions, .outcomes: return configuration.decisions.map { max($0, OutcomeReport.window + 86_400_000) }
        case .messages: return configuration.messages.map { max($0, longestContactWindow()) }
        case .waits: return configuration.waits
        // Suppression rules look back this far, and the budget ledger loads no more at start.
        case .offerTouches: return ActionHistory.retention
        }
    }

    /// One sweep: removes everything past its retention; returns the counts removed, by kind.
    @discardableResult
    public func sweep() async throws -> [RetainedRecord: Int] {
        var removed: [RetainedRecord: Int] = [:]
        let now = clock()
        for kind in RetainedRecord.allCases {
            guard let keep = retention(of: kind) else { continue }
            let cutoff = now - keep
            var total = 0
            while true {
                try Task.checkCancellation()
                let count = try await store.prune(kind, before: cutoff, limit: configuration.batchSize)
                total += count
                if count < configuration.batchSize { break }
                try await Task.sleep(for: configuration.pause)
            }
            removed[kind] = total
            if total > 0 {
                Counter(label: "kairos_retention_removed_total", dimensions: [("record", kind.rawValue)]).increment(by: total)
            }
        }
        if removed.values.contains(where: { $0 > 0 }) {
            logger.info(
                "retention sweep", metadata: Logger.Metadata(uniqueKeysWithValues: removed.map { ($0.key.rawValue, "\($0.value)") }))
        }
        return removed
    }
}
