extension FeatureState {
    /// Folds one event into every feature whose filter it matches.
    /// - Parameters:
    ///   - context: what the expressions see (the event, the profile, current feature values).
    ///   - only: restricts the update to these slots (a backfill of new features).
    mutating func update(
        time: Millis, context: EvaluationContext, features: FeatureSet, only: Set<UInt16>? = nil
    ) {
        let isSessionEvent = only == nil
        if isSessionEvent {
            if sessionLast == 0 || time > sessionLast + features.sessionTimeout {
                // A new session: forget the previous one's counts and items.
                let sessionSlots = features.sessionSlots
                if !sessionSlots.isEmpty {
                    cells.removeAll { sessionSlots.contains($0.slot) }
                    marks.removeAll { sessionSlots.contains($0.slot) }
                    Self.trim(&cells)
                    Self.trim(&marks)
                }
                sessionStart = time
                sessionLast = time
            } else {
                sessionLast = Swift.max(sessionLast, time)
                if time < sessionStart && time >= sessionStart - features.sessionTimeout { sessionStart = time }
            }
        }
        let latest = Swift.max(sessionLast, time)
        // Expired buckets are dropped when event time has moved on by a bucket since the last
        // pruning (reads ignore them anyway; pruning only keeps memory bounded).
        let prune = features.pruneInterval != Millis.max && latest / features.pruneInterval != prunedAt / features.pruneInterval
        if prune { prunedAt = latest }
        // One verdict per distinct filter text (0 unknown, 1 matches, 2 does not) and one value per
        // distinct value text, each computed at most once for this event.
        let filterCount = features.filterCount
        let valueCount = features.valueCount
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Swift.max(1, filterCount + valueCount)) { flags in
            withUnsafeTemporaryAllocation(of: ExpressionValue.self, capacity: Swift.max(1, valueCount)) { values in
                flags.initialize(repeating: 0)
                let memo = Memo(
                    verdicts: UnsafeMutableBufferPointer(rebasing: flags[0..<filterCount]),
                    computed: UnsafeMutableBufferPointer(rebasing: flags[filterCount..<(filterCount + valueCount)]),
                    values: values)
                defer { memo.release() }
                fold(time: time, latest: latest, context: context, features: features, only: only, memo: memo)
            }
        }
        if prune {
            for feature in features.features where only == nil || only!.contains(feature.slot) {
                self.prune(feature, latest: latest)
            }
            Self.trim(&cells)
            Self.trim(&marks)
            Self.trim(&tallies)
        }
    }

    private mutating func fold(
        time: Millis, latest: Millis, context: EvaluationContext, features: FeatureSet, only: Set<UInt16>?,
        memo: Memo
    ) {
        let isSessionEvent = only == nil
        for feature in features.features {
            if let only, !only.contains(feature.slot) { continue }
            let definition = feature  // the compiled feature carries the definition's hot fields
            if definition.isSession && (!isSessionEvent || time < sessionStart) { continue }
            let bucket = feature.bucketWidth > 0 ? time / feature.bucketWidth : 0
            if let window = definition.window, (bucket + 1) * feature.bucketWidth <= latest - window {
                continue  // the event's bucket has already left this window
            }
            if let filter = feature.filter {
                let index = feature.filterIndex
                if memo.verdicts[index] == 0 { memo.verdicts[index] = filter.matches(context) ? 1 : 2 }
                if memo.verdicts[index] == 2 { continue }
            }
            switch definition.aggregation {
            case .count:
                add(.count, slot: feature.slot, bucket: bucket, 1)
            case .sum, .avg:
                guard let number = memo.value(of: feature, in: context)?.numberValue else { continue }
                add(.sum, slot: feature.slot, bucket: bucket, number)
                if definition.aggregation == .avg { add(.count, slot: feature.slot, bucket: bucket, 1) }
            case .min, .max:
                guard let number = memo.value(of: feature, in: context)?.numberValue else { continue }
                extreme(definition.aggregation == .min ? .min : .max, slot: feature.slot, bucket: bucket, number)
            case .last, .first:
                guard let value = memo.value(of: feature, in: context)?.jsonValue, value != .null else { continue }
                record(Mark(time: time, hash: 0, slot: feature.slot), value: value, aggregation: definition.aggregation, cap: 1)
            case .since:
                record(Mark(time: time, hash: 0, slot: feature.slot), aggregation: .since, cap: 1)
            case .distinct, .sessionItems:
                guard let value = memo.value(of: feature, in: context)?.jsonValue, value != .null else { continue }
                let hash = ProfileBook.stableHash(value.stringValue ?? JSONWriter.string(value))
                record(Mark(time: time, hash: hash, slot: feature.slot), aggregation: .distinct, cap: FeatureSet.distinctCap)
            case .top:
                guard let value = memo.value(of: feature, in: context)?.jsonValue, value != .null else { continue }
                let label = value.stringValue ?? JSONWriter.string(value)
                tally(label, slot: feature.slot, bucket: bucket)
            case .sessionEvents:
                add(.count, slot: feature.slot, bucket: 0, 1)
            case .sessionDuration:
                break  // read from sessionStart / sessionLast
            }
        }
    }

    /// The per-event verdicts of distinct filters and values of distinct value expressions
    /// (temporary storage owned by ``update(time:context:features:only:)``).
    struct Memo {
        let verdicts: UnsafeMutableBufferPointer<UInt8>
        let computed: UnsafeMutableBufferPointer<UInt8>
        let values: UnsafeMutableBufferPointer<ExpressionValue>

        /// The value of the feature's value expression for this event, evaluated once per text.
        func value(of feature: FeatureSet.Compiled, in context: EvaluationContext) -> ExpressionValue? {
            guard let expression = feature.value else { return nil }
            let index = feature.valueIndex
            if computed[index] == 0 {
                (values.baseAddress! + index).initialize(to: expression.evaluate(context))
                computed[index] = 1
            }
            return values[index]
        }

        /// Deinitializes the values that were computed.
        func release() {
            for index in computed.indices where computed[index] == 1 { (values.baseAddress! + index).deinitialize(count: 1) }
        }
    }

    private mutating func add(_ kind: Cell.Kind, slot: UInt16, bucket: Int64, _ amount: Double) {
        if let index = cells.firstIndex(where: { $0.slot == slot && $0.kind == kind && $0.bucket == bucket }) {
            cells[index].value += amount
        } else {
            Self.append(Cell(slot: slot, kind: kind, bucket: bucket, value: amount), to: &cells)
        }
    }

    private mutating func extreme(_ kind: Cell.Kind, slot: UInt16, bucket: Int64, _ value: Double) {
        if let index = cells.firstIndex(where: { $0.slot == slot && $0.kind == kind && $0.bucket == bucket }) {
            cells[index].value = kind == .min ? Swift.min(cells[index].value, value) : Swift.max(cells[index].value, value)
        } else {
            Self.append(Cell(slot: slot, kind: kind, bucket: bucket, value: value), to: &cells)
        }
    }

    private mutating func tally(_ value: String, slot: UInt16, bucket: Int64) {
        if let index = tallies.firstIndex(where: { $0.slot == slot && $0.bucket == bucket && $0.value == value }) {
            tallies[index].count += 1
            return
        }
        let known = tallies.contains { $0.slot == slot && $0.value == value }
        Self.append(Tally(slot: slot, bucket: bucket, count: 1, value: value), to: &tallies)
        guard !known else { return }
        var totals: [String: UInt32] = [:]
        for entry in tallies where entry.slot == slot { totals[entry.value, default: 0] += entry.count }
        if totals.count > FeatureSet.tallyCap {
            // Forget the least frequent value of this feature — never the one just counted, or a
            // lifetime top-N would stop taking new values once full.
            totals[value] = nil
            if let weakest = totals.min(by: { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) })?.key {
                tallies.removeAll { $0.slot == slot && $0.value == weakest }
            }
        }
    }

    /// Drops buckets (and marks) that have left the feature's window.
    private mutating func prune(_ feature: FeatureSet.Compiled, latest: Millis) {
        let definition = feature
        if definition.isSession { return }  // cleared when a new session starts
        guard let window = definition.window, feature.bucketWidth > 0 else { return }
        let oldest = (latest - window) / feature.bucketWidth
        let slot = feature.slot
        cells.removeAll { $0.slot == slot && $0.bucket < oldest }
        tallies.removeAll { $0.slot == slot && $0.bucket < oldest }
        if definition.aggregation == .distinct {
            marks.removeAll { $0.slot == slot && $0.time <= latest - window }
        }
    }
}

extension ExpressionValue {
    /// The number, if this is one (JSON numbers included).
    var numberValue: Double? {
        switch self {
        case .number(let number): number
        case .json(.number(let number)): number
        default: nil
        }
    }
}
