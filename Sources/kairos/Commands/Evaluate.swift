import ArgumentParser
import Foundation
import KairosCore
import KairosEngine
import KairosServer

/// `kairos evaluate --interactions FILE`: leave-last-out offline evaluation of the placement
/// strategies, a popularity baseline and optionally a matrix-factorization baseline.
struct Evaluate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate placement strategies offline on an interactions file (HR, NDCG, MRR at K, coverage).",
        discussion: """
            The file is CSV (header row) or NDJSON: user, item, timestamp[, event], or Kairos tracking events. Each \
            person's last positive interaction is held out; the rest is replayed in time order through the same models \
            and ranking code as live decisions, and every strategy ranks all items for the person, leaving out what they \
            interacted with.
            """)

    @Option(help: "The interactions (.csv or .ndjson).")
    var interactions: String

    @Option(help: "The catalog (.csv or .ndjson items), for content similarity and item filters.")
    var items: String?

    @Option(help: "A definitions file whose placements are evaluated as strategies (besides the default one).")
    var definitions: String?

    @Option(name: .customLong("placement"), help: "Evaluate only these placements (repeatable).")
    var placements: [String] = []

    @Option(help: "Cut-off of the metrics.")
    var k: Int = 10

    @Option(help: "When held-out interactions are predicted: timeline (at their time, the models knowing only the past) or end (after the whole replay).")
    var timing: String = "timeline"

    @Option(help: "Positive interactions a person needs before the held-out one.")
    var minHistory: Int = 1

    @Option(help: "Model snapshots are rebuilt every this many interactions.")
    var refreshEvery: Int = 1000

    @Option(help: "Matrix-factorization baseline: none, fixed (64 factors, λ 0.1, α 10) or tuned (a grid chosen on a validation split).")
    var mf: String = "none"

    @Option(
        name: .customLong("interaction"),
        help: "Map an event name: NAME=WEIGHT:KIND[:conversion], KIND positive, seen or negative (repeatable; as recommendations.interactions).")
    var interactionEntries: [String] = []

    @Option(help: "Also write the report as JSON to this file.")
    var json: String?

    @Option(help: "Also write the report as an HTML page with an SVG chart to this file.")
    var html: String?

    func validate() throws {
        guard (1...100).contains(k) else { throw ValidationError("--k must be from 1 to 100") }
        guard OfflineEvaluation.Timing(rawValue: timing) != nil else { throw ValidationError("--timing must be timeline or end") }
        guard minHistory >= 1 else { throw ValidationError("--min-history must be at least 1") }
        guard refreshEvery >= 1 else { throw ValidationError("--refresh-every must be at least 1") }
        guard ["none", "fixed", "tuned"].contains(mf) else { throw ValidationError("--mf must be none, fixed or tuned") }
    }

    func run() async throws {
        let started = Date()
        let mapping = try InteractionMapping.standard(with: interactionEntries, field: "--interaction")
        let reading = try InteractionReader(mapping: mapping).read(path: interactions)
        say("Read \(reading.interactions.count) interactions from \(reading.records) records (\(reading.skipped) skipped).")
        for problem in reading.problems { say("  \(problem)") }
        guard !reading.interactions.isEmpty else { throw ValidationError("\(interactions) holds no interactions") }

        var catalog: [Item] = []
        if let items {
            catalog = try CatalogReader.read(path: items)
            say("Read \(catalog.count) catalog items.")
        }
        let evaluation = OfflineEvaluation(configuration: try configuration(), strategies: try strategies())
        let bar = ProgressBar(label: "Evaluating")
        var report = evaluation.run(log: reading.interactions, items: catalog) { progress in
            bar.update(phase: progress.phase, done: progress.done, total: progress.total)
        }
        bar.finish()
        report.seconds = Date().timeIntervalSince(started)
        say(report.table())
        say(String(format: "\nEvaluated in %.1f s.", report.seconds))
        if let json {
            try Data(JSONWriter.bytes(report.json()) + [0x0A]).write(to: URL(fileURLWithPath: json))
            say("JSON report: \(json)")
        }
        if let html {
            try Data(report.html().utf8).write(to: URL(fileURLWithPath: html))
            say("HTML report: \(html)")
        }
    }

    private func configuration() throws -> OfflineEvaluation.Configuration {
        var configuration = OfflineEvaluation.Configuration()
        configuration.k = k
        configuration.timing = OfflineEvaluation.Timing(rawValue: timing)!
        configuration.minimumHistory = minHistory
        configuration.refreshEvery = refreshEvery
        configuration.mapping = try InteractionMapping.standard(with: interactionEntries, field: "--interaction")
        switch mf {
        case "fixed": configuration.factorization = .init(grid: [ImplicitALS.Parameters()])
        case "tuned": configuration.factorization = .tuned
        default: break
        }
        return configuration
    }

    /// The default strategy, and the placements of the definitions file.
    private func strategies() throws -> [OfflineEvaluation.Strategy] {
        var definitions: [PlacementDefinition] = []
        var features = FeatureSet.empty
        if let path = self.definitions {
            let file = try DefinitionsFile.load(path: path)
            definitions = file.placements
            features = try FeatureSet.compile(file.features)
        }
        if !definitions.contains(where: { $0.id == "default" }) { definitions.insert(.standard, at: 0) }
        if !placements.isEmpty {
            let unknown = placements.filter { id in !definitions.contains { $0.id == id } }
            guard unknown.isEmpty else { throw ValidationError("no placement \(unknown.joined(separator: ", ")) in the definitions") }
            definitions = definitions.filter { placements.contains($0.id) }
        }
        let compiled = try PlacementSet.compile(definitions, features: features)
        return definitions.map { OfflineEvaluation.Strategy(name: $0.id, placement: compiled.placement($0.id).placement) }
    }
}
