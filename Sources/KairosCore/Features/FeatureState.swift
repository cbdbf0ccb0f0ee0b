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

    /// A remembered time: of the last/first matching event, or a distinct value's hash and latest
    /// time (16 bytes: the slot shares a word with the value's 48-bit hash). The value of a
    /// last/first feature is kept in ``values``.
    struct Mark: Sendable, Equatable {
        var time: Millis
        /// The slot in the top 16 bits, the hash in the low 48.
        private(set) var key: UInt64

        init(time: Millis, hash: UInt64, slot: UInt16) {
            self.time = time
            self.key = UInt64(slot) << 48 | (hash & 0xFFFF_FFFF_FFFF)
        }

        var slot: UInt16 { UInt16(truncatingIfNeeded: key >> 48) }
        var hash: UInt64 { key & 0xFFFF_FFFF_FFFF }
    }

    /// The value of a last/first feature.
    struct Held: Sendable, Equatable {
        var value: JSONValue
        var slot: UInt16
    }

    /// A categorical value's count in one time bucket (top-N features): 24 bytes. A bucket's count
    /// saturates at 65,535 events of one value for one person.
    struct Tally: Sendable, Equatable {
        var value: String
        private var storedBucket: UInt32
        private var storedCount: UInt16
        var slot: UInt16

        init(slot: UInt16, bucket: Int64, count: UInt32, value: String) {
            self.value = value
            self.storedBucket = UInt32(clamping: bucket)
            self.storedCount = UInt16(clamping: count)
            self.slot = slot
        }

        var bucket: Int64 { Int64(storedBucket) }

        var count: UInt32 {
            get { UInt32(storedCount) }
            set { storedCount = UInt16(clamping: newValue) }
        }
    }

    // Arrays grow by small steps and are trimmed when pruned (``FeatureState/append(_:to:)``):
    // doubling would leave up to half of each profile's state unused.
    var cells: [Cell] = []
    var marks: [Mark] = []
    var values: [Held] = []
    var tallies: [Tally] = []
    /// Start and latest event time of the current session.
    var sessionStart: Millis = 0
    var sessionLast: Millis = 0
    /// Latest event time at the last pruning of expired buckets.
    var prunedAt: Millis = 0

    public init() {}

    /// Reallocates an array at exactly its count when it has room to spare.
    static func fit<Element>(_ array: inout [Element]) {
        guard array.capacity > array.count else { return }
        array = array.isEmpty ? [] : Array(unsafeUninitializedCapacity: array.count) { buffer, count in
            _ = buffer.initialize(from: array)
            count = array.count
        }
    }

    /// Drops everything a slot holds (a feature was removed or redefined).
    mutating func remove(slots: Set<UInt16>) {
        guard !slots.isEmpty else { return }
        cells.removeAll { slots.contains($0.slot) }
        marks.removeAll { slots.contains($0.slot) }
        values.removeAll { slots.contains($0.slot) }
        tallies.removeAll { slots.contains($0.slot) }
    }

    /// Appends without doubling the capacity: at most an eighth (or 1 element) to spare.
    @inline(__always)
    static func append<Element>(_ element: Element, to array: inout [Element]) {
        if array.count == array.capacity { array.reserveCapacity(array.count + Swift.max(1, array.count / 8)) }
        array.append(element)
    }

    /// Gives back unused capacity after elements were removed.
    @inline(__always)
    static func trim<Element>(_ array: inout [Element]) {
        if array.capacity > array.count + Swift.max(4, array.count / 2) { fit(&array) }
    }

    /// Combines another profile's state into this one (identity merge). Aggregates add up,
    /// extremes and marks keep their rule (latest last, earliest first, ...).
    /// Sessions: when one profile's session ended long before the other's, only the later session
    /// counts (its events, items and times); sessions that overlap are joined.
    mutating func merge(_ other: FeatureState, features: FeatureSet) {
        let sessionSlots = features.sessionSlots
        let timeout = features.sessionTimeout
        let otherSessionIsStale = sessionLast > 0 && other.sessionLast + timeout < sessionStart
        if other.sessionLast > 0 && sessionLast + timeout < other.sessionStart {
            // Ours ended before theirs began: theirs replaces it.
            cells.removeAll { sessionSlots.contains($0.slot) }
            marks.removeAll { sessionSlots.contains($0.slot) }
        }
        for cell in other.cells where !(otherSessionIsStale && sessionSlots.contains(cell.slot)) {
            if let index = cells.firstIndex(where: { $0.slot == cell.slot && $0.kind == cell.kind && $0.bucket == cell.bucket }) {
                switch cell.kind {
                case .count, .sum: cells[index].value += cell.value
                case .min: cells[index].value = Swift.min(cells[index].value, cell.value)
                case .max: cells[index].value = Swift.max(cells[index].value, cell.value)
                }
            } else {
                Self.append(cell, to: &cells)
            }
        }
        for mark in other.marks where !(otherSessionIsStale && sessionSlots.contains(mark.slot)) {
            guard let feature = features.feature(slot: mark.slot) else { continue }
            record(mark, value: other.values.first { $0.slot == mark.slot }?.value, aggregation: feature.aggregation, cap: FeatureSet.distinctCap)
        }
        for tally in other.tallies {
            if let index = tallies.firstIndex(where: { $0.slot == tally.slot && $0.bucket == tally.bucket && $0.value == tally.value }) {
                tallies[index].count += tally.count
            } else {
                Self.append(tally, to: &tallies)
            }
        }
        if other.sessionLast > 0 && (sessionLast == 0 || sessionLast + timeout < other.sessionStart) {
            sessionStart = other.sessionStart
            sessionLast = other.sessionLast
        } else if other.sessionLast > 0 && !otherSessionIsStale {
            sessionStart = Swift.min(sessionStart, other.sessionStart)
            sessionLast = Swift.max(sessionLast, other.sessionLast)
        }
    }

    /// Records a mark (with the value of a last/first feature) by the rule of its aggregation.
    mutating func record(_ mark: Mark, value: JSONValue? = nil, aggregation: FeatureDefinition.Aggregation, cap: Int) {
        switch aggregation {
        case .last, .since, .first:
            let later = aggregation != .first
            if let index = marks.firstIndex(where: { $0.slot == mark.slot }) {
                guard later ? mark.time >= marks[index].time : mark.time < marks[index].time else { return }
                marks[index] = mark
            } else {
                Self.append(mark, to: &marks)
            }
            guard let value else { return }
            if let index = values.firstIndex(where: { $0.slot == mark.slot }) {
                values[index].value = value
            } else {
                Self.append(Held(value: value, slot: mark.slot), to: &values)
            }
        case .distinct, .sessionItems:
            if let index = marks.firstIndex(where: { $0.key == mark.key }) {
                marks[index].time = Swift.max(marks[index].time, mark.time)
                return
            }
            Self.append(mark, to: &marks)
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
