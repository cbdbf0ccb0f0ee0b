import Foundation

/// Drawing the winners: greedy, epsilon-greedy or Thompson sampling, each recording the
/// probability with which it chose what it chose (for off-policy evaluation).
extension Arbitrator {
    /// Draws made to estimate a Thompson choice's probability.
    static let thompsonDraws = 64

    /// Up to `limit` winners from `candidates` (sorted by priority, all above the threshold), and
    /// the policy's probability of choosing each candidate for the first slot (in `candidates`
    /// order). Each later slot is drawn from what the earlier slots left; its probability is
    /// conditional on them.
    func select<Generator: RandomNumberGenerator>(
        _ candidates: [Candidate], limit: Int, context: EvaluationContext, using generator: inout Generator
    ) -> (chosen: [Candidate], firstSlot: [Double]) {
        // Positions into `candidates` (the candidates themselves are not copied into a pool).
        var pool = Array(candidates.indices)
        var chosen: [Candidate] = []
        var firstSlot: [Double] = []
        var context = context
        while chosen.count < limit && !pool.isEmpty {
            var picked: Int
            var distribution: [Double]
            switch arbitration.exploration {
            case .greedy:
                picked = 0
                distribution = pool.indices.map { $0 == 0 ? 1 : 0 }
            case .epsilonGreedy(let epsilon):
                let explore = Double.random(in: 0..<1, using: &generator) < epsilon
                picked = explore ? Int.random(in: 0..<pool.count, using: &generator) : 0
                distribution = pool.indices.map { ($0 == 0 ? 1 - epsilon : 0) + epsilon / Double(pool.count) }
            case .thompson:
                var wins = Array(repeating: 0, count: pool.count)
                picked = thompsonDraw(candidates, pool, context: &context, using: &generator)
                wins[picked] += 1
                for _ in 1..<Self.thompsonDraws { wins[thompsonDraw(candidates, pool, context: &context, using: &generator)] += 1 }
                distribution = wins.map { Double($0) / Double(Self.thompsonDraws) }
            }
            if chosen.isEmpty { firstSlot = distribution }
            var winner = candidates[pool.remove(at: picked)]
            winner.probability = distribution[picked]
            winner.explored = picked != 0
            chosen.append(winner)
        }
        return (chosen, firstSlot)
    }

    /// The position in `pool` of the best candidate when each propensity is drawn from the
    /// model's posterior.
    private func thompsonDraw<Generator: RandomNumberGenerator>(
        _ candidates: [Candidate], _ pool: [Int], context: inout EvaluationContext, using generator: inout Generator
    ) -> Int {
        var best = 0
        var bestPriority = -Double.infinity
        for (index, position) in pool.enumerated() {
            let logit = candidates[position].logit + candidates[position].variance.squareRoot() * Self.gaussian(using: &generator)
            // The draw moves the model's share of the propensity; a configured prior keeps its weight.
            let shift = PropensityModel.sigmoid(logit) - PropensityModel.sigmoid(candidates[position].logit)
            let propensity = min(1, max(0, candidates[position].propensity + (1 - candidates[position].priorWeight) * shift))
            let priority = self.priority(of: candidates[position], propensity: propensity, context: &context)
            if priority > bestPriority {
                bestPriority = priority
                best = index
            }
        }
        return best
    }

    static func gaussian<Generator: RandomNumberGenerator>(using generator: inout Generator) -> Double {
        let u1 = max(Double.random(in: 0..<1, using: &generator), 1e-300)
        let u2 = Double.random(in: 0..<1, using: &generator)
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}
