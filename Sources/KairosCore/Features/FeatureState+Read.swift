extension FeatureState {
    /// The value of `feature` at time `now`.
    func value(of feature: FeatureSet.Compiled, now: Millis, sessionTimeout: Millis) -> ExpressionValue {
        let definition = feature
        let slot = feature.slot
        let sessionActive = sessionLast > 0 && now - sessionLast <= sessionTimeout
        func inWindow(_ bucket: Int64) -> Bool {
            guard let window = definition.window, feature.bucketWidth > 0 else { return true }
            return (bucket + 1) * feature.bucketWidth > now - window
        }
        func inWindow(time: Millis) -> Bool {
            guard let window = definition.window else { return true }
            return time > now - window
        }
        func total(_ kind: Cell.Kind) -> (Double, Bool) {
            var sum = 0.0
            var any = false
            for cell in cells where cell.slot == slot && cell.kind == kind && inWindow(cell.bucket) {
                sum += cell.value
                any = true
            }
            return (sum, any)
        }
        switch definition.aggregation {
        case .count:
            return .number(total(.count).0)
        case .sum:
            return .number(total(.sum).0)
        case .avg:
            let (sum, _) = total(.sum)
            let (count, _) = total(.count)
            return count > 0 ? .number(sum / count) : .null
        case .min, .max:
            let kind: Cell.Kind = definition.aggregation == .min ? .min : .max
            var result: Double?
            for cell in cells where cell.slot == slot && cell.kind == kind && inWindow(cell.bucket) {
                result = result.map { kind == .min ? Swift.min($0, cell.value) : Swift.max($0, cell.value) } ?? cell.value
            }
            return result.map { .number($0) } ?? .null
        case .last, .first:
            guard let mark = marks.first(where: { $0.slot == slot }), inWindow(time: mark.time) else { return .null }
            return values.first(where: { $0.slot == slot }).map { .json($0.value) } ?? .null
        case .since:
            guard let mark = marks.first(where: { $0.slot == slot }), inWindow(time: mark.time) else { return .null }
            return .duration(Swift.max(0, now - mark.time))
        case .distinct:
            return .number(Double(marks.lazy.filter { $0.slot == slot && inWindow(time: $0.time) }.count))
        case .top:
            var totals: [String: UInt32] = [:]
            for entry in tallies where entry.slot == slot && inWindow(entry.bucket) { totals[entry.value, default: 0] += entry.count }
            let ranked = totals.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }
            return .list(ranked.prefix(definition.topN).map { .string($0.key) })
        case .sessionEvents:
            guard sessionActive else { return .number(0) }
            return .number(cells.first(where: { $0.slot == slot })?.value ?? 0)
        case .sessionItems:
            guard sessionActive else { return .number(0) }
            return .number(Double(marks.lazy.filter { $0.slot == slot && $0.time >= self.sessionStart }.count))
        case .sessionDuration:
            return .duration(sessionActive ? sessionLast - sessionStart : 0)
        }
    }

    /// Every feature's value at `now`, by id.
    public func values(_ features: FeatureSet, now: Millis) -> [String: ExpressionValue] {
        var result: [String: ExpressionValue] = [:]
        result.reserveCapacity(features.features.count)
        for feature in features.features {
            result[feature.definition.id] = value(of: feature, now: now, sessionTimeout: features.sessionTimeout)
        }
        return result
    }

    /// Values of the named features only.
    func values(of ids: Set<String>, _ features: FeatureSet, now: Millis) -> [String: ExpressionValue] {
        var result: [String: ExpressionValue] = [:]
        result.reserveCapacity(ids.count)
        for id in ids {
            if let feature = features.feature(id: id) {
                result[id] = value(of: feature, now: now, sessionTimeout: features.sessionTimeout)
            }
        }
        return result
    }
}
