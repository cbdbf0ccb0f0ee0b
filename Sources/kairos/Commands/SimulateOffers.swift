import ArgumentParser
import Foundation
import KairosCore

/// `kairos simulate-offers`: the self-learning arbitration against a population with known
/// acceptance probabilities, compared with the oracle, a static priority and random choice.
struct SimulateOffers: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate-offers",
        abstract: "Check self-learning next-best-action arbitration on a simulated population with known acceptance probabilities.",
        discussion: """
            Each decision goes through the same arbitration and FTRL propensity model as /v1/decide; its outcome is drawn \
            from the person's true acceptance probability and fed back. At every point of the learning curve the learned \
            policy (greedy) is compared, on a fixed sample of people, with the oracle, the best single offer for everyone \
            (static priority) and a uniformly random offer.
            """)

    private static let defaults = OfferScenario.Configuration()

    @Option(help: "Decisions with feedback.")
    var decisions: Int = defaults.decisions

    @Option(help: "Offers competing.")
    var offers: Int = defaults.offers

    @Option(help: "Seed of every random choice.")
    var seed: UInt64 = defaults.seed

    @Option(help: "Exploration while learning: greedy, epsilon:EPS or thompson.")
    var exploration: String = "epsilon:0.05"

    @Option(help: "A point of the learning curve every this many decisions.")
    var every: Int = defaults.checkpointEvery

    @Option(help: "People the policies are compared on.")
    var evaluationPeople: Int = defaults.evaluationPeople

    @Option(help: "FTRL learning rate alpha.")
    var alpha: Double = defaults.parameters.alpha

    @Option(help: "Write the curve as JSON to this file.")
    var json: String?

    @Option(help: "Write the curve as an SVG chart to this file.")
    var svg: String?

    func validate() throws {
        guard decisions >= 1, offers >= 2, every >= 1, evaluationPeople >= 1 else {
            throw ValidationError("--decisions, --every and --evaluation-people must be ≥ 1, --offers ≥ 2")
        }
        _ = try parsedExploration()
    }

    func parsedExploration() throws -> ActionArbitration.Exploration {
        switch exploration {
        case "greedy": return .greedy
        case "thompson": return .thompson
        default:
            guard exploration.hasPrefix("epsilon:"), let epsilon = Double(exploration.dropFirst(8)), epsilon > 0, epsilon < 1 else {
                throw ValidationError("--exploration must be greedy, epsilon:EPS (0 < EPS < 1) or thompson")
            }
            return .epsilonGreedy(epsilon)
        }
    }

    func run() async throws {
        var configuration = OfferScenario.Configuration()
        configuration.decisions = decisions
        configuration.offers = offers
        configuration.seed = seed
        configuration.checkpointEvery = every
        configuration.evaluationPeople = evaluationPeople
        configuration.exploration = try parsedExploration()
        configuration.parameters.alpha = alpha
        let scenario = OfferScenario(configuration: configuration)
        say(OfferScenario.header)
        let (curve, update) = scenario.run { point in
            say(OfferScenario.row(point))
        }
        let last = curve.last!
        say(
            "learned/oracle \(OfferScenario.format(last.learned / last.oracle)), learned/static \(OfferScenario.format(last.learned / last.staticPriority)), learned/random \(OfferScenario.format(last.learned / last.random)); model update \(String(format: "%.2f", update / 1000)) µs per outcome"
        )
        if let json {
            try JSONWriter.string(OfferScenario.json(curve, updateNanoseconds: update, configuration: configuration))
                .write(toFile: json, atomically: true, encoding: .utf8)
        }
        if let svg {
            try OfferScenario.svg(curve, title: "Self-learning arbitration, \(offers) offers (\(exploration))")
                .write(toFile: svg, atomically: true, encoding: .utf8)
        }
    }
}
