import Foundation

/// Drawing the winners: greedy, epsilon-greedy or Thompson sampling, each recording the
/// probability with which it chose what it chose (for off-policy evaluation).
extension Arbitrator {
    /// Draws made to estimate a Thompson choice's probability.
    static let thompsonDraws = 64

    /// Up to `limit` winners from `candidates` (sorted by priority, all above the threshold).
    /// Each slot is drawn from what the earlier slots left; its probability is conditional on them.
    func select<Generator: RandomNumberGenerator>(
        _ candidates: [Candidate], limit: Int, context: EvaluationContext, using generator: inout Generator
    ) -> [Candidate] {
        var pool = candidates
        var chosen: [Candidate] = []
        var context = context
        while chosen.count < limit && !pool.isEmpty {
            var picked: Int
            var probability: Double
            switch arbitration.exploration {
            case .greedy:
                (picked, probability) = (0, 1)
            case .epsilonGreedy(let epsilon):
                let explore = Double.random(in: 0..<1, using: &generator) < epsilon
                picked = explore ? Int.random(in: 0..<pool.count, using: &generator) : 0
                probability = (picked == 0 ? 1 - epsilon : 0) + epsilon / Double(pool.count)
            case .thompson:
                picked = thompsonDraw(pool, context: &context, using: &generator)
                var wins = 1
                for _ in 1..<Self.thompsonDraws where thompsonDraw(pool, context: &context, using: &generator) == picked {
                    wins += 1
                }
                probability = Double(wins) / Double(Self.thompsonDraws)
            }
            var winner = pool.remove(at: picked)
            winner.probability = probability
            winner.explored = picked != 0
            chosen.append(winner)
        }
        return chosen
    }

    /// The index of the best candidate when each propensity is drawn from the model's posterior.
    private func thompsonDraw<Generator: RandomNumberGenerator>(
        _ pool: [Candidate], context: inout EvaluationContext, using generator: inout Generator
    ) -> Int {
        var best = 0
        var bestPriority = -Double.infinity
        for (index, candidate) in pool.enumerated() {
            let logit = candidate.logit + candidate.variance.squareRoot() * Self.gaussian(using: &generator)
            // The draw moves the model's share of the propensity; a configured prior keeps its weight.
            let shift = PropensityModel.sigmoid(logit) - PropensityModel.sigmoid(candidate.logit)
            let propensity = min(1, max(0, candidate.propensity + (1 - candidate.priorWeight) * shift))
            let priority = self.priority(of: candidate, propensity: propensity, context: &context)
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
