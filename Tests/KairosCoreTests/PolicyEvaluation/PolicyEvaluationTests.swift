import Testing

@testable import KairosCore

@Suite struct PolicyEvaluationTests {
    static let z95 = 1.959963984540054

    // MARK: Hand-computed estimates

    /// Four decisions over candidates a (p .5, priority .5), b (p .3), c (p .2): a→1, b→0, c→1, a→0;
    /// then a record without candidates (no policy acts on it) and one without a chosen action.
    static let handLog = """
        {"decisionId": "d1", "candidates": [{"id": "a", "priority": 0.5, "probability": 0.5}, {"id": "b", "priority": 0.3, "probability": 0.3}, {"id": "c", "priority": 0.1, "probability": 0.2}], "chosen": "a", "propensity": 0.5, "reward": 1}
        {"decisionId": "d2", "candidates": [{"id": "a", "priority": 0.5, "probability": 0.5}, {"id": "b", "priority": 0.3, "probability": 0.3}, {"id": "c", "priority": 0.1, "probability": 0.2}], "chosen": "b", "propensity": 0.3, "reward": 0}
        {"decisionId": "d3", "candidates": [{"id": "a", "priority": 0.5, "probability": 0.5}, {"id": "b", "priority": 0.3, "probability": 0.3}, {"id": "c", "priority": 0.1, "probability": 0.2}], "chosen": "c", "propensity": 0.2, "reward": 1}

        {"decisionId": "d4", "candidates": [{"id": "a", "priority": 0.5, "probability": 0.5}, {"id": "b", "priority": 0.3, "probability": 0.3}, {"id": "c", "priority": 0.1, "probability": 0.2}], "chosen": "a", "propensity": 0.5, "reward": 0}
        {"decisionId": "d5", "chosen": "x", "propensity": 1, "reward": 1}
        {"decisionId": "d6", "chosen": null, "propensity": 1, "reward": 0}
        """

    /// q̂(a) = .6, q̂(b) = .2, q̂(c) = .4 whatever the context.
    static let fixedModel = PolicyEvaluator.RewardModel { _, candidate in [0.6, 0.2, 0.4][candidate] }

    static func handEvaluator() throws -> PolicyEvaluator {
        let log = try LoggedDecision.readLog(handLog)
        #expect(log.decisions.count == 5 && log.skipped == 1)
        return PolicyEvaluator(log, rewardModel: fixedModel)
    }

    static func near(_ a: Double, _ b: Double, _ tolerance: Double = 1e-12) -> Bool { abs(a - b) <= tolerance }

    @Test func theNormalQuantileIsAccurate() {
        #expect(Self.near(PolicyEvaluator.z(confidence: 0.95), Self.z95))
        #expect(Self.near(PolicyEvaluator.z(confidence: 0.90), 1.6448536269514722))
        #expect(Self.near(PolicyEvaluator.z(confidence: 0.99), 2.5758293035489004))
        #expect(Self.near(PolicyEvaluator.inverseNormal(0.5), 0))
        #expect(Self.near(PolicyEvaluator.inverseNormal(0.001), -3.090232306167814, 1e-11))  // lower tail branch
        #expect(Self.near(PolicyEvaluator.inverseNormal(0.999), 3.090232306167814, 1e-11))
    }

    @Test func aDeterministicPolicyMatchesHandArithmetic() throws {
        let estimates = try Self.handEvaluator().evaluate(.topPriority)  // always a
        let (ips, snips, dr) = (estimates[0], estimates[1], estimates[2])
        #expect(ips.estimator == .ips && snips.estimator == .snips && dr.estimator == .doublyRobust)
        // w = π(a)/p: 1/.5 = 2, 0, 0, 2. ESS = (2+2)² / (4+4) = 2.
        for estimate in estimates {
            #expect(estimate.used == 4 && estimate.skipped == 2)  // d5 has no candidates, d6 no chosen action
            #expect(Self.near(estimate.effectiveSampleSize, 2) && estimate.maxWeight == 2)
            #expect(Self.near(estimate.loggedValue, 0.6))  // (1 + 0 + 1 + 0 + 1) / 5
        }
        // IPS terms wr: 2, 0, 0, 0 → 0.5; deviations 1.5, -.5, -.5, -.5 → Σ² = 3, s² = 3/3 = 1, SE = 1/√4 = .5.
        #expect(Self.near(ips.value, 0.5) && Self.near(ips.standardError, 0.5))
        #expect(Self.near(ips.halfWidth, Self.z95 * 0.5) && Self.near(ips.low, 0.5 - Self.z95 * 0.5))
        // SNIPS: Σwr/Σw = 2/4 = .5; mean(w²(r-.5)²) = (4·.25 + 0 + 0 + 4·.25)/4 = .5; mean(w) = 1;
        // variance = (1/4)·.5/1 = .125.
        #expect(Self.near(snips.value, 0.5) && Self.near(snips.standardError, 0.125.squareRoot()))
        #expect(Self.near(snips.halfWidth, Self.z95 * 0.125.squareRoot()))
        // DR terms q̂(a) + w(r − q̂(a)) = .6 + 2·.4, .6, .6, .6 − 2·.6 = 1.4, .6, .6, −.6 → mean .5;
        // deviations .9, .1, .1, −1.1 → Σ² = 2.04, s² = .68, SE = √.68 / 2.
        #expect(Self.near(dr.value, 0.5) && Self.near(dr.standardError, 0.68.squareRoot() / 2))
        #expect(Self.near(dr.halfWidth, Self.z95 * 0.68.squareRoot() / 2))
    }

    @Test func aStochasticPolicyMatchesHandArithmetic() throws {
        let estimates = try Self.handEvaluator().evaluate(.random)  // 1/3 each
        // w = (1/3)/p: 2/3, 10/9, 5/3, 2/3; Σw = 37/9, Σw² = (36 + 100 + 225 + 36)/81 = 397/81.
        #expect(Self.near(estimates[0].effectiveSampleSize, (37.0 / 9) * (37.0 / 9) / (397.0 / 81)))
        #expect(Self.near(estimates[0].maxWeight, 5.0 / 3))
        // IPS terms 2/3, 0, 5/3, 0 → 7/12; deviations 1/12, −7/12, 13/12, −7/12 → Σ² = 268/144, SE = √(268/144/3)/2.
        #expect(Self.near(estimates[0].value, 7.0 / 12))
        #expect(Self.near(estimates[0].standardError, (268.0 / 144 / 3).squareRoot() / 2))
        // SNIPS: (7/3)/(37/9) = 21/37; variance (1/4)·mean(w²(r − 21/37)²)/mean(w)².
        let v = 21.0 / 37
        let spread = ((4.0 / 9) * (1 - v) * (1 - v) + (100.0 / 81) * v * v + (25.0 / 9) * (1 - v) * (1 - v) + (4.0 / 9) * v * v) / 4
        #expect(Self.near(estimates[1].value, v))
        #expect(Self.near(estimates[1].standardError, (spread / ((37.0 / 36) * (37.0 / 36)) / 4).squareRoot()))
        // DR: Σπq̂ = (.6 + .2 + .4)/3 = .4; terms .4 + (2/3)·.4 = 2/3, .4 − (10/9)·.2 = 8/45, .4 + (5/3)·.6 = 1.4,
        // .4 − (2/3)·.6 = 0 → mean (2/3 + 8/45 + 1.4)/4 = (30 + 8 + 63)/45/4 = 101/180.
        let terms = [2.0 / 3, 8.0 / 45, 1.4, 0]
        let mean = 101.0 / 180
        let squares = terms.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        #expect(Self.near(estimates[2].value, mean))
        #expect(Self.near(estimates[2].halfWidth, Self.z95 * (squares / 3).squareRoot() / 2))
    }

    @Test func theLoggingPolicyGetsWeightOneAndTheLogsValue() throws {
        let estimates = try Self.handEvaluator().evaluate(.logged)
        for estimate in estimates { #expect(estimate.maxWeight == 1 && estimate.effectiveSampleSize == 4) }
        #expect(Self.near(estimates[0].value, 0.5) && Self.near(estimates[1].value, 0.5))  // (1 + 0 + 1 + 0) / 4: on-policy
        // DR: Σπq̂ = .5·.6 + .3·.2 + .2·.4 = .44; terms .44 + .4, .44 − .2, .44 + .6, .44 − .6 → 1.96 / 4 = .49.
        #expect(Self.near(estimates[2].value, 0.49))
        // With q̂ = 0, DR is IPS.
        let plain = try PolicyEvaluator(LoggedDecision.readLog(Self.handLog), rewardModel: .zero).evaluate(.random)
        #expect(plain[2].value == plain[0].value && plain[2].standardError == plain[0].standardError)
    }

    @Test func epsilonGreedyMixesItsBaseWithUniform() {
        let decision = LoggedDecision(
            candidates: [.init(id: "a", value: 1, lever: 2), .init(id: "b", value: 5), .init(id: "c", value: 1)],
            chosen: "a", propensity: 1, reward: 0)
        #expect(TargetPolicy.topValue.distribution(for: decision) == [0, 1, 0])  // 2, 5, 1
        let mixed = TargetPolicy.epsilonGreedy(.topValue, epsilon: 0.3).distribution(for: decision)!
        #expect(Self.near(mixed[0], 0.1) && Self.near(mixed[1], 0.8) && Self.near(mixed[2], 0.1))
        #expect(TargetPolicy.topPriority.distribution(for: decision) == nil)  // no priorities
        #expect(TargetPolicy.logged.distribution(for: decision) == nil)  // no probabilities
        #expect(TargetPolicy.random.distribution(for: LoggedDecision(chosen: "a", propensity: 1, reward: 0)) == nil)
        let tie = LoggedDecision(candidates: [.init(id: "a", priority: 1), .init(id: "b", priority: 1)], chosen: "a", propensity: 1, reward: 0)
        #expect(TargetPolicy.topPriority.distribution(for: tie) == [1, 0])
        let scored = TargetPolicy.scored(name: "last") { _, index in Double(index) }
        #expect(scored.distribution(for: tie) == [0, 1] && scored.name == "last")
    }

    @Test func theDefaultRewardModelIsCrossFitted() {
        // Positions 0…4: a→1, a→0, b→0, a→1, a→1. Even fold {0, 2, 4}: mean 2/3, a 2 of 2, b 0 of 1.
        // Odd fold {1, 3}: mean 1/2, a 1 of 2.
        let candidates: [LoggedDecision.Candidate] = [.init(id: "a"), .init(id: "b")]
        let log = zip(["a", "a", "b", "a", "a"], [1.0, 0, 0, 1, 1]).map {
            LoggedDecision(candidates: candidates, chosen: $0, propensity: 0.5, reward: $1)
        }
        let model = PolicyEvaluator.RewardModel.crossFitted(log)
        // An odd position is predicted from the even fold: a (2 + 5·2/3)/(2 + 5) = 16/21, b (0 + 10/3)/6 = 5/9.
        #expect(Self.near(model.prediction(at: 1, log[1], candidate: 0), 16.0 / 21))
        #expect(Self.near(model.prediction(at: 3, log[3], candidate: 1), 5.0 / 9))
        // An even position from the odd fold: a (1 + 2.5)/7 = .5, b (0 + 2.5)/5 = .5.
        #expect(Self.near(model.prediction(at: 0, log[0], candidate: 0), 0.5))
        #expect(Self.near(model.prediction(at: 4, log[4], candidate: 1), 0.5))
    }

    // MARK: Recovery on a simulated log

    /// Acceptance probability of action a in context c: the best actions are 2, 0 and 4.
    static let acceptance: [[Double]] = [
        [0.05, 0.10, 0.20, 0.08, 0.03],
        [0.30, 0.05, 0.10, 0.12, 0.02],
        [0.02, 0.04, 0.06, 0.15, 0.25],
    ]
    /// The logging policy's preferred action per context (right only in context 0), explored with ε = .3.
    static let preferred = [2, 3, 1]

    static func simulatedLog(decisions: Int = 20_000, seed: UInt64 = 2026) -> [LoggedDecision] {
        var generator = SeededGenerator(seed: seed)
        return (0..<decisions).map { index in
            let context = generator.nextInt(below: 3)
            let action = generator.chance(0.3) ? generator.nextInt(below: 5) : preferred[context]
            let candidates = (0..<5).map { a in
                LoggedDecision.Candidate(
                    id: "a\(a)", priority: a == preferred[context] ? 1 : 0, probability: a == preferred[context] ? 0.76 : 0.06)
            }
            return LoggedDecision(
                decisionId: "d\(index)", context: ["type=c\(context)": 1], candidates: candidates, chosen: "a\(action)",
                propensity: candidates[action].probability!, reward: generator.chance(acceptance[context][action]) ? 1 : 0)
        }
    }

    static func context(of decision: LoggedDecision) -> Int { (0..<3).first { decision.context["type=c\($0)"] != nil }! }

    /// Target policies with their true values, computed from `acceptance` (contexts equally likely).
    static let targets: [(policy: TargetPolicy, truth: Double)] = [
        (TargetPolicy(name: "oracle") { decision in
            let best = acceptance[context(of: decision)].indices.max { acceptance[context(of: decision)][$0] < acceptance[context(of: decision)][$1] }!
            return (0..<5).map { $0 == best ? 1.0 : 0.0 }
        }, (0.20 + 0.30 + 0.25) / 3),
        (.random, acceptance.map { $0.reduce(0, +) / 5 }.reduce(0, +) / 3),
        (.fixed("a3"), (0.08 + 0.12 + 0.15) / 3),
        (.topPriority, (0.20 + 0.12 + 0.04) / 3),  // the logging policy's preference, without exploration
    ]

    /// Every 95% interval contains the true value and DR's is never wider than IPS'. (Over 150 seeds
    /// the intervals covered the truth 91–95% of the time, and DR was narrower every time.)
    @Test func everyEstimatorRecoversTheTrueValues() {
        let log = Self.simulatedLog()
        let evaluator = PolicyEvaluator(log: log)
        for (policy, truth) in Self.targets {
            let estimates = evaluator.evaluate(policy)
            for estimate in estimates {
                #expect(estimate.used == 20_000 && estimate.skipped == 0)
                #expect(
                    estimate.low <= truth && truth <= estimate.high,
                    "\(policy.name) \(estimate.estimator.rawValue): \(estimate.low)…\(estimate.high), truth \(truth)")
            }
            let (ips, dr) = (estimates[0], estimates[2])
            #expect(dr.halfWidth <= ips.halfWidth, "\(policy.name): DR ±\(dr.halfWidth), IPS ±\(ips.halfWidth)")
        }
    }

    /// A reward model keyed by context and action also gives valid intervals, narrower than IPS'.
    /// (Over 60 seeds DR was always narrower than IPS, by 2–9%, with either model; the context-aware
    /// model is usually, not always, narrower than the per-action one, so that is not asserted.)
    @Test func aContextAwareRewardModelGivesValidNarrowIntervals() {
        let log = Self.simulatedLog()
        let byContext = PolicyEvaluator(log: log, rewardModel: .crossFitted(log) { decision, action in
            "\(Self.context(of: decision))/\(action)"
        })
        for (policy, truth) in Self.targets {
            let estimates = byContext.evaluate(policy)
            let (ips, dr) = (estimates[0], estimates[2])
            #expect(dr.low <= truth && truth <= dr.high, "\(policy.name): \(dr.low)…\(dr.high), truth \(truth)")
            #expect(dr.halfWidth <= ips.halfWidth, "\(policy.name): DR ±\(dr.halfWidth), IPS ±\(ips.halfWidth)")
        }
    }

    // MARK: Parsing

    @Test func aFullRecordIsRead() throws {
        let text = """
            {"decisionId": "d1", "timestamp": "2026-11-22T10:00:00Z", "placement": "retention",
            """ + """
             "context": {"trait:tier": "gold", "segment:vip": true, "feature:spend_30d": 3.2, "gone": null},
            """ + """
             "candidates": [{"id": "offer-a", "group": "retention/data", "value": 30, "lever": 1.5, "priority": 0.12, "probability": 0.9, "features": {"new": false}},
            """ + """
             {"id": "offer-b", "value": 10, "priority": 0.05, "probability": 0.1}], "chosen": "offer-a", "propensity": 0.9, "reward": 1}
            """
        let log = try LoggedDecision.readLog(text)
        let decision = try #require(log.decisions.first)
        #expect(log.decisions.count == 1 && log.skipped == 0)
        #expect(decision.decisionId == "d1" && decision.placement == "retention")
        #expect(decision.timestamp == Timestamp.parse("2026-11-22T10:00:00Z"))
        #expect(decision.context == ["trait:tier=gold": 1, "segment:vip": 1, "feature:spend_30d": 3.2])
        #expect(decision.candidates == [
            .init(id: "offer-a", group: "retention/data", value: 30, lever: 1.5, priority: 0.12, probability: 0.9, features: ["new": 0]),
            .init(id: "offer-b", value: 10, priority: 0.05, probability: 0.1),
        ])
        #expect(decision.chosen == "offer-a" && decision.chosenIndex == 0 && decision.propensity == 0.9 && decision.reward == 1)
        let minimal = try #require(try LoggedDecision.parse(["chosen": "x", "propensity": 1, "reward": 0.5, "timestamp": 1_700_000_000_000]))
        #expect(minimal.candidates.isEmpty && minimal.chosenIndex == nil && minimal.context.isEmpty && minimal.timestamp == 1_700_000_000_000)
        #expect(try LoggedDecision.parse(["propensity": 1, "reward": 0]) == nil)  // no action: skipped
    }

    static let good = #"{"candidates": [{"id": "a"}, {"id": "b"}], "chosen": "a", "propensity": 0.5, "reward": 1}"#

    @Test(arguments: [
        (#"{"chosen": 3, "propensity": 0.5, "reward": 1}"#, "chosen", "non-empty string"),
        (#"{"chosen": "", "propensity": 0.5, "reward": 1}"#, "chosen", "non-empty string"),
        (#"{"chosen": "a", "reward": 1}"#, "propensity", "'propensity' is required"),
        (#"{"chosen": "a", "propensity": 0, "reward": 1}"#, "propensity", "in (0, 1], not 0.0"),
        (#"{"chosen": "a", "propensity": 1.2, "reward": 1}"#, "propensity", "in (0, 1], not 1.2"),
        (#"{"chosen": "a", "propensity": -0.5, "reward": 1}"#, "propensity", "in (0, 1]"),
        (#"{"chosen": "a", "propensity": "0.5", "reward": 1}"#, "propensity", "not string"),
        (#"{"chosen": "a", "propensity": 0.5}"#, "reward", "'reward' is required"),
        (#"{"chosen": "a", "propensity": 0.5, "reward": true}"#, "reward", "finite number"),
        (#"{"chosen": "a", "propensity": 0.5, "reward": 1, "decisionId": 7}"#, "decisionId", "must be a string"),
        (#"{"chosen": "a", "propensity": 0.5, "reward": 1, "timestamp": "yesterday"}"#, "timestamp", "RFC 3339"),
        (#"{"chosen": "a", "propensity": 0.5, "reward": 1, "timestamp": 1e16}"#, "timestamp", "epoch milliseconds"),
        (#"{"chosen": "a", "propensity": 0.5, "reward": 1, "placement": 3}"#, "placement", "must be a string"),
        (#"{"chosen": "a", "propensity": 0.5, "reward": 1, "context": [1]}"#, "context", "must be an object"),
        (#"{"chosen": "a", "propensity": 0.5, "reward": 1, "context": {"k": {}}}"#, "context.k", "number, boolean or string"),
        (#"{"chosen": "a", "propensity": 0.5, "reward": 1, "candidates": []}"#, "candidates", "non-empty array"),
        (#"{"chosen": "a", "propensity": 0.5, "reward": 1, "candidates": [{"id": "a"}, 5]}"#, "candidates[1]", "must be an object"),
        (#"{"chosen": "a", "propensity": 0.5, "reward": 1, "candidates": [{"id": "a"}, {"value": 2}]}"#, "candidates[1].id", "is required"),
        (#"{"chosen": "a", "propensity": 0.5, "reward": 1, "candidates": [{"id": "a", "value": "big"}]}"#, "candidates[0].value", "finite number"),
        (#"{"chosen": "a", "propensity": 0.5, "reward": 1, "candidates": [{"id": "a", "lever": null, "priority": []}]}"#, "candidates[0].priority", "finite number"),
        (#"{"chosen": "a", "propensity": 0.5, "reward": 1, "candidates": [{"id": "a", "probability": 1.5}]}"#, "candidates[0].probability", "in [0, 1]"),
        (#"{"chosen": "a", "propensity": 0.5, "reward": 1, "candidates": [{"id": "a", "features": {"x": [1]}}]}"#, "candidates[0].features.x", "number, boolean or string"),
        (#"{"chosen": "a", "propensity": 0.5, "reward": 1, "candidates": [{"id": "a"}, {"id": "a"}]}"#, "candidates[1].id", "appears twice"),
        (#"{"chosen": "c", "propensity": 0.5, "reward": 1, "candidates": [{"id": "a"}, {"id": "b"}]}"#, "chosen", "(c) is not among the candidates"),
        (#"["chosen", "a"]"#, "", "must be a JSON object"),
    ])
    func aBadRecordNamesItsFieldAndLine(record: String, field: String, message: String) {
        // Line 1 is good, line 2 blank, line 3 a record without an action, line 4 the bad one.
        let text = Self.good + "\n\n" + #"{"chosen": null, "propensity": 1, "reward": 0}"# + "\r\n" + record + "\n" + Self.good
        #expect {
            try LoggedDecision.readLog(text)
        } throws: { error in
            guard let error = error as? APIError else { return false }
            return error.field == field && error.index == 4 && error.message.hasPrefix("line 4: ") && error.message.contains(message)
        }
    }

    @Test func malformedJSONNamesItsLine() {
        #expect {
            try LoggedDecision.readLog(Self.good + "\n" + #"{"chosen": "a", "#)
        } throws: { error in
            guard let error = error as? APIError else { return false }
            return error.code == "malformed_json" && error.index == 2 && error.message.hasPrefix("line 2: ")
        }
    }

    @Test func estimatesRenderAsATableAndJSON() throws {
        let estimates = try Self.handEvaluator().evaluate([.topPriority, .random])
        #expect(estimates.map(\.policy) == ["top-priority", "top-priority", "top-priority", "random", "random", "random"])
        let table = PolicyEstimate.table(estimates)
        #expect(table.hasPrefix("policy") && table.contains("95% low") && table.split(separator: "\n").count == 7)
        #expect(table.contains("top-priority  IPS") && table.contains("0.5000"))
        let json = estimates[0].json
        #expect(json["estimator"] == "IPS" && json["value"] == 0.5 && json["used"] == 4 && json["skipped"] == 2)
        #expect(json["low"]?.numberValue == estimates[0].low)
    }
}
