import Foundation

/// A self-learning propensity model: logistic regression trained online with FTRL-Proximal
/// (McMahan et al., 2013) over hashed features, one update per outcome.
///
/// Each coordinate keeps FTRL's `z` and `n`, its current weight, and a diagonal precision (the
/// Laplace approximation of Chapelle & Li, 2011) from which Thompson sampling draws. A value
/// type: copies share storage until one of them is updated.
public struct PropensityModel: Sendable {
    /// Learning settings.
    public struct Parameters: Sendable, Equatable {
        /// Learning rate scale.
        public var alpha: Double
        /// Learning rate smoothing.
        public var beta: Double
        /// L1 regularisation (sparsity).
        public var l1: Double
        /// L2 regularisation.
        public var l2: Double
        /// 2^bits hashed weights.
        public var bits: Int
        /// Pseudo-outcomes a configured prior is worth before the action's own outcomes take over.
        public var priorStrength: Double

        public init(alpha: Double = 0.3, beta: Double = 1, l1: Double = 0.5, l2: Double = 1, bits: Int = 18, priorStrength: Double = 20) {
            self.alpha = alpha
            self.beta = beta
            self.l1 = l1
            self.l2 = l2
            self.bits = bits
            self.priorStrength = priorStrength
        }
    }

    /// Outcomes seen per action.
    public struct ActionStats: Sendable, Equatable {
        public var updates = 0
        public var positives = 0

        public init(updates: Int = 0, positives: Int = 0) {
            self.updates = updates
            self.positives = positives
        }

        mutating func record(positive: Bool) {
            updates += 1
            if positive { positives += 1 }
        }
    }

    public let parameters: Parameters
    var z: [Float]
    var n: [Float]
    var weights: [Float]
    var precision: [Float]
    public internal(set) var updates = 0
    public internal(set) var positives = 0
    public internal(set) var actions: [String: ActionStats] = [:]
    /// The latest predictions with their outcomes (for AUC and calibration), oldest overwritten.
    var recent: [(probability: Float, positive: Bool)] = []
    var recentNext = 0
    /// Names of the hashed features seen in updates (bounded; for reading the weights).
    var names: [UInt32: String] = [:]
    static let recentCapacity = 5000
    static let maximumNames = 20_000

    public init(parameters: Parameters = Parameters()) {
        self.parameters = parameters
        let size = 1 << parameters.bits
        z = Array(repeating: 0, count: size)
        n = Array(repeating: 0, count: size)
        weights = Array(repeating: 0, count: size)
        precision = Array(repeating: 0, count: size)
    }

    /// The linear score (log-odds) of `vector`.
    public func logit(_ vector: FeatureVector) -> Double {
        var sum: Float = 0
        weights.withUnsafeBufferPointer { w in
            for position in 0..<vector.count {
                sum += w[Int(vector.indices[position])] * vector.values[position]
            }
        }
        return Double(sum)
    }

    /// The variance of the log-odds under the diagonal posterior (for Thompson sampling).
    public func logitVariance(_ vector: FeatureVector) -> Double {
        var sum: Double = 0
        let prior = parameters.l2 + 1
        for position in 0..<vector.count {
            let value = Double(vector.values[position])
            sum += value * value / (prior + Double(precision[Int(vector.indices[position])]))
        }
        return sum
    }

    /// The propensity of `action` given its features: the model's probability, blended with the
    /// action's configured `prior` while the action has had fewer outcomes than the prior's strength.
    public func propensity(logit: Double, action: String, prior: Double?) -> (propensity: Double, priorWeight: Double) {
        let probability = Self.sigmoid(logit)
        guard let prior else { return (probability, 0) }
        let seen = Double(actions[action]?.updates ?? 0)
        let weight = parameters.priorStrength / (seen + parameters.priorStrength)
        return ((1 - weight) * probability + weight * prior, weight)
    }

    /// The model's view of each offer for a decision with the `shared` features: log-odds, their
    /// variance (only with `variance`; 0 otherwise: only Thompson sampling reads it), the
    /// propensity with the offer's prior blended in, and the prior's weight. The shared
    /// features' part is summed once, then each offer's own and crossed features are added to
    /// it (in the order of ``FeatureHasher/forEachFeature(shared:action:bits:_:)``, so the sums
    /// are those of ``logit(_:)``).
    public func predictions(
        shared: [FeatureHasher.Token], offers: [OfferSet.Compiled], variance wantsVariance: Bool = true
    ) -> [Arbitrator.Prediction] {
        let prior = parameters.l2 + 1
        return weights.withUnsafeBufferPointer { w in
            precision.withUnsafeBufferPointer { q in
                var sharedLogit: Float = 0
                var sharedVariance = 0.0
                FeatureHasher.forEachSharedFeature(shared: shared, bits: parameters.bits) { index, value in
                    sharedLogit += w[Int(index)] * value
                    if wantsVariance { sharedVariance += Double(value) * Double(value) / (prior + Double(q[Int(index)])) }
                }
                return offers.map { offer in
                    var logit = sharedLogit
                    var variance = sharedVariance
                    FeatureHasher.forEachActionFeature(shared: shared, action: offer.tokens, bits: parameters.bits) { index, value in
                        logit += w[Int(index)] * value
                        if wantsVariance { variance += Double(value) * Double(value) / (prior + Double(q[Int(index)])) }
                    }
                    let (propensity, weight) = propensity(logit: Double(logit), action: offer.definition.id, prior: offer.definition.prior)
                    return (Double(logit), variance, propensity, weight)
                }
            }
        }
    }

    /// Learns from one outcome of `action`, shown with features `vector`.
    public mutating func update(_ vector: FeatureVector, action: String, positive: Bool, names featureNames: [String]? = nil) {
        let probability = Self.sigmoid(logit(vector))
        let label: Double = positive ? 1 : 0
        let alpha = parameters.alpha
        let beta = parameters.beta
        let l1 = parameters.l1
        let l2 = parameters.l2
        let curvature = Float(probability * (1 - probability))
        for position in 0..<vector.count {
            let index = Int(vector.indices[position])
            let value = Double(vector.values[position])
            let gradient = (probability - label) * value
            let nOld = Double(n[index])
            let nNew = nOld + gradient * gradient
            let sigma = (nNew.squareRoot() - nOld.squareRoot()) / alpha
            let zNew = Double(z[index]) + gradient - sigma * Double(weights[index])
            z[index] = Float(zNew)
            n[index] = Float(nNew)
            precision[index] += curvature * Float(value * value)
            if abs(zNew) <= l1 {
                weights[index] = 0
            } else {
                let sign: Double = zNew < 0 ? -1 : 1
                weights[index] = Float(-(zNew - sign * l1) / ((beta + nNew.squareRoot()) / alpha + l2))
            }
            if let featureNames, names.count < Self.maximumNames, position < featureNames.count,
                names[vector.indices[position]] == nil
            {
                names[vector.indices[position]] = featureNames[position]
            }
        }
        updates += 1
        if positive { positives += 1 }
        actions[action, default: ActionStats()].record(positive: positive)
        let entry = (probability: Float(probability), positive: positive)
        if recent.count < Self.recentCapacity {
            recent.append(entry)
        } else {
            recent[recentNext] = entry
        }
        recentNext = (recentNext + 1) % Self.recentCapacity
    }

    @inlinable
    public static func sigmoid(_ x: Double) -> Double {
        x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x))
    }

    /// Whether updates should still bring feature names (the bounded name table is not full).
    public var wantsNames: Bool { names.count < Self.maximumNames }

    /// The weight of hashed feature `index`.
    public func weight(at index: UInt32) -> Float { weights[Int(index)] }
}
