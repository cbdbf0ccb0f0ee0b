import KairosCore

/// Records of the store that are kept for a while and then removed (the event log is kept whole:
/// it is what the profiles are rebuilt from).
public enum RetainedRecord: String, Sendable, CaseIterable {
    /// Logged decisions.
    case decisions
    /// Outcomes of decisions that are no longer kept (swept after them).
    case outcomes
    /// Outbox messages that are done with: delivered, suppressed or dead (pending ones are kept).
    case messages
    /// Trigger waits that fired or were cancelled (pending ones are kept).
    case waits
    /// Offer impressions, dismissals and acceptances kept for suppression rules.
    case offerTouches = "offer_touches"
}

/// Removal of old records, in bounded batches so that no transaction holds the writer for long.
public protocol RetentionStore: Sendable {
    /// Deletes at most `limit` records of `kind` made before `cutoff` (milliseconds since the
    /// epoch) in one transaction; returns how many were deleted.
    func prune(_ kind: RetainedRecord, before cutoff: Millis, limit: Int) async throws -> Int
}
