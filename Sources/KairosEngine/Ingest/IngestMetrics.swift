import Metrics

/// The pipeline's metrics (swift-metrics; exported by whatever backend the process bootstraps).
struct IngestMetrics: Sendable {
    let stored = Counter(label: "kairos_events_total", dimensions: [("outcome", "stored")])
    let duplicates = Counter(label: "kairos_events_total", dimensions: [("outcome", "duplicate")])
    let withheld = Counter(label: "kairos_events_total", dimensions: [("outcome", "withheld_no_consent")])
    let batchSize = Recorder(label: "kairos_commit_batch_events", aggregate: true)
    let commitDuration = Timer(label: "kairos_commit_duration_seconds")
    let commitFailures = Counter(label: "kairos_commit_failures_total")
    let erasures = Counter(label: "kairos_erasures_total")
    let profiles = Gauge(label: "kairos_profiles")

    func record(outcomes: [IngestPipeline.Outcome], duration: Duration, profiles count: Int) {
        var storedCount = 0
        var duplicateCount = 0
        var withheldCount = 0
        for outcome in outcomes {
            switch outcome {
            case .stored: storedCount += 1
            case .duplicate: duplicateCount += 1
            case .withheld: withheldCount += 1
            }
        }
        if storedCount > 0 { stored.increment(by: storedCount) }
        if duplicateCount > 0 { duplicates.increment(by: duplicateCount) }
        if withheldCount > 0 { withheld.increment(by: withheldCount) }
        batchSize.record(outcomes.count)
        commitDuration.recordNanoseconds(duration.nanoseconds)
        profiles.record(count)
    }
}
