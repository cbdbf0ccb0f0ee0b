/// The feature state of one profile: compact, bounded cells instead of event lists.
///
/// Layout: windowed numbers live in fixed-width time buckets (a window is cut into
/// ``FeatureSet/bucketsPerWindow`` buckets; only non-empty buckets are stored, and buckets that
/// left the window are dropped on the next update). Each cell names its feature by a small slot
/// number, so one profile's state is a handful of flat arrays whatever the number of features.
/// Distinct and top-N values are capped per feature. See `docs/features.md`.
public struct FeatureState: Sendable, Equatable {
    /// A numeric aggregate of one feature over one time bucket: 16 bytes.
    struct Cell: Sendable, Equatable {
        var slot: UInt16
        var kind: Kind
        /// Bucket number (time / bucket width; buckets are at least 1 s wide, so this fits 32 bits
        /// until 2106). Session cells use the session start in seconds.
        private var storedBucket: UInt32
        var value: Double

        enum Kind: UInt8, Sendable { case count, sum, min, max }

        init(slot: UInt16, kind: Kind, bucket: Int64, value: Double) {
            self.slot = slot
            self.kind = kind
            self.storedBucket = UInt32(clamping: bucket)
            self.value = value
        }

        var bucket: Int64 { Int64(storedBucket) }
    }

    /// A remembered value: the last/first value of a feature, or a distinct value's hash and time.
    struct Mark: Sendable, Equatable {
        var slot: UInt16
        var time: Millis
        var hash: UInt64
        var value: JSONValue?
    }

    /// A categorical value's count in one time bucket (top-N features).
    struct Tally: Sendable, Equatable {
        var slot: UInt16
        var bucket: Int64
        var count: UInt32
        var value: String
    }

    var cells: [Cell] = []
    var marks: [Mark] = []
    var tallies: [Tally] = []
    /// Start and latest event time of the current session.
    var sessionStart: Millis = 0
    var sessionLast: Millis = 0
    /// Latest event time at the last pruning of expired buckets.
    var prunedAt: Millis = 0

    public init() {}

    /// Drops everything a slot holds (a feature was removed or redefined).
    mutating func remove(slots: Set<UInt16>) {
        guard !slots.isEmpty else { return }
        cells.removeAll { slots.contains($0.slot) }
        marks.removeAll { slots.contains($0.slot) }
        tallies.removeAll { slots.contains($0.slot) }
    }

    /// Combines another profile's state into this one (identity merge). Aggregates add up,
    /// extremes and marks keep their rule (latest last, earliest first, ...).
    mutating func merge(_ other: FeatureState, features: FeatureSet) {
        for cell in other.cells {
            if let index = cells.firstIndex(where: { $0.slot == cell.slot && $0.kind == cell.kind && $0.bucket == cell.bucket }) {
                switch cell.kind {
                case .count, .sum: cells[index].value += cell.value
                case .min: cells[index].value = Swift.min(cells[index].value, cell.value)
                case .max: cells[index].value = Swift.max(cells[index].value, cell.value)
                }
            } else {
                cells.append(cell)
            }
        }
        for mark in other.marks {
            guard let feature = features.feature(slot: mark.slot) else { continue }
            record(mark, aggregation: feature.definition.aggregation, cap: FeatureSet.distinctCap)
        }
        for tally in other.tallies {
            if let index = tallies.firstIndex(where: { $0.slot == tally.slot && $0.bucket == tally.bucket && $0.value == tally.value }) {
                tallies[index].count += tally.count
            } else {
                tallies.append(tally)
            }
        }
        if other.sessionLast > sessionLast {
            sessionStart = other.sessionStart
            sessionLast = other.sessionLast
        }
    }

    /// Records a mark by the rule of its aggregation.
    mutating func record(_ mark: Mark, aggregation: FeatureDefinition.Aggregation, cap: Int) {
        switch aggregation {
        case .last, .since:
            if let index = marks.firstIndex(where: { $0.slot == mark.slot }) {
                if mark.time >= marks[index].time { marks[index] = mark }
            } else {
                marks.append(mark)
            }
        case .first:
            if let index = marks.firstIndex(where: { $0.slot == mark.slot }) {
                if mark.time < marks[index].time { marks[index] = mark }
            } else {
                marks.append(mark)
            }
        case .distinct, .sessionItems:
            if let index = marks.firstIndex(where: { $0.slot == mark.slot && $0.hash == mark.hash }) {
                marks[index].time = Swift.max(marks[index].time, mark.time)
                return
            }
            marks.append(mark)
            var count = 0
            var oldest: Int?
            for index in marks.indices where marks[index].slot == mark.slot {
                count += 1
                if oldest == nil || marks[index].time < marks[oldest!].time { oldest = index }
            }
            if count > cap, let oldest { marks.remove(at: oldest) }
        default:
            break
        }
    }
}
