import ArgumentParser

#if canImport(Glibc)
import Glibc
#endif

/// The `kairos` command.
@main
struct Kairos: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kairos",
        abstract: "Kairos: real-time personalization and next-best-action engine.",
        subcommands: [Serve.self, Import.self]
    )

    static func main() async {
        setvbuf(stdout, nil, _IOLBF, 0)  // line-buffered even when redirected, so startup lines show at once
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
