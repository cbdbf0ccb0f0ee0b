/// What `GET /v1/admin/models` shows of a model: volume, recent AUC, calibration by bucket,
/// positive rates per action and the weights that matter most.
extension PropensityModel {
    /// Area under the ROC curve of the recent predictions (`nil` without both classes).
    public var recentAUC: Double? {
        let positives = recent.lazy.filter(\.positive).count
        let negatives = recent.count - positives
        guard positives > 0, negatives > 0 else { return nil }
        // Mann–Whitney U with average ranks for ties.
        let sorted = recent.sorted { $0.probability < $1.probability }
        var rankSum = 0.0
        var start = 0
        while start < sorted.count {
            var end = start
            while end + 1 < sorted.count && sorted[end + 1].probability == sorted[start].probability { end += 1 }
            let rank = Double(start + end) / 2 + 1
            for position in start...end where sorted[position].positive { rankSum += rank }
            start = end + 1
        }
        let u = rankSum - Double(positives) * Double(positives + 1) / 2
        return u / (Double(positives) * Double(negatives))
    }

    /// Recent predictions in `buckets` groups of equal size by predicted probability: mean
    /// predicted against observed positive rate.
    public func calibration(buckets: Int = 10) -> [(predicted: Double, observed: Double, count: Int)] {
        guard !recent.isEmpty else { return [] }
        let sorted = recent.sorted { $0.probability < $1.probability }
        let size = max(1, (sorted.count + buckets - 1) / buckets)
        return stride(from: 0, to: sorted.count, by: size).map { start in
            let slice = sorted[start..<min(start + size, sorted.count)]
            let predicted = slice.reduce(0.0) { $0 + Double($1.probability) } / Double(slice.count)
            let observed = Double(slice.lazy.filter(\.positive).count) / Double(slice.count)
            return (predicted, observed, slice.count)
        }
    }

    /// The named features with the largest absolute weights.
    public func notableWeights(limit: Int = 20) -> [(name: String, weight: Double)] {
        var entries: [(name: String, weight: Double)] = []
        for (index, name) in names {
            let weight = Double(weights[Int(index)])
            if weight != 0 { entries.append((name, weight)) }
        }
        entries.sort { abs($0.weight) > abs($1.weight) || (abs($0.weight) == abs($1.weight) && $0.name < $1.name) }
        return Array(entries.prefix(limit))
    }

    /// Non-zero weights.
    public var activeWeights: Int { weights.lazy.filter { $0 != 0 }.count }

    /// The report as JSON.
    public func report(id: String) -> JSONValue {
        let rounded = { (value: Double) -> JSONValue in .number((value * 1e4).rounded() / 1e4) }
        var fields: [String: JSONValue] = [
            "id": .string(id), "updates": .number(Double(updates)), "positives": .number(Double(positives)),
            "positiveRate": updates > 0 ? rounded(Double(positives) / Double(updates)) : .null,
            "recentAUC": recentAUC.map(rounded) ?? .null,
            "recentOutcomes": .number(Double(recent.count)),
            "activeWeights": .number(Double(activeWeights)),
            "calibration": .array(calibration().map { bucket in
                .object(["predicted": rounded(bucket.predicted), "observed": rounded(bucket.observed), "count": .number(Double(bucket.count))])
            }),
            "weights": .array(notableWeights().map { .object(["feature": .string($0.name), "weight": rounded($0.weight)]) }),
        ]
        var perAction: [String: JSONValue] = [:]
        for (action, stats) in actions {
            perAction[action] = .object([
                "updates": .number(Double(stats.updates)), "positives": .number(Double(stats.positives)),
                "positiveRate": stats.updates > 0 ? rounded(Double(stats.positives) / Double(stats.updates)) : .null,
            ])
        }
        fields["actions"] = .object(perAction)
        fields["parameters"] = .object([
            "alpha": .number(parameters.alpha), "beta": .number(parameters.beta), "l1": .number(parameters.l1),
            "l2": .number(parameters.l2), "bits": .number(Double(parameters.bits)),
        ])
        return .object(fields)
    }
}
