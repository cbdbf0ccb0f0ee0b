import ArgumentParser

/// The `kairos` command.
@main
struct Kairos: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kairos",
        abstract: "Kairos: real-time personalization and next-best-action engine.",
        subcommands: [Serve.self, Import.self, Evaluate.self, EvaluatePolicy.self, Simulate.self, SimulateOffers.self]
    )
}
