import ArgumentParser
import Foundation
import KairosCore
import KairosEngine
import KairosServer
import KairosStore
import Logging
import ServiceLifecycle

/// `kairos import FILE`: load history into a data directory (the server must be stopped).
struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Import events, items or profiles from NDJSON or CSV into the data directory.",
        discussion: """
            The kind is taken from the file name (events.ndjson, items.csv, profiles.csv) or --kind.
            Resumable and idempotent: rerunning skips what was committed and never stores an event twice.
            """)

    @OptionGroup var options: ConfigurationOptions

    @Argument(help: "The file to import (.ndjson or .csv).")
    var file: String

    @Option(help: "events, items or profiles (default: from the file name).")
    var kind: String?

    @Option(help: "Records per transaction (default 1000).")
    var batchSize: Int = 1000

    func run() async throws {
        guard let kind = kind.map({ ImportKind(rawValue: $0) }) ?? ImportKind.infer(fromPath: file) else {
            throw ValidationError("cannot tell what \(file) holds; pass --kind events|items|profiles")
        }
        let reader = try await options.reader(flags: [:])
        let logger = options.bootstrapLogging(reader)
        let configuration = try KairosConfiguration(reader: reader)

        let lock = try DataDirectoryLock(directory: configuration.dataDirectory)
        let store = try SQLiteStore(directory: configuration.dataDirectory)
        let pipeline = IngestPipeline(
            store: store,
            profiles: ProfileBook(
                configuration: .init(
                recentEventLimit: configuration.recentEventLimit, interactions: configuration.interactions,
                sessionCapacity: configuration.sessionCapacity)),
            logger: logger)
        let importer = Importer(pipeline: pipeline, batchSize: batchSize, parser: EventParser(limits: configuration.limits))
        let bar = ProgressBar(label: "Importing \(kind.rawValue)")

        let report = try await withThrowingTaskGroup(of: Importer.Report?.self) { group in
            let services = ServiceGroup(services: [pipeline], logger: logger)
            group.addTask {
                try await services.run()
                return nil
            }
            group.addTask {
                defer { Task { await services.triggerGracefulShutdown() } }
                return try await importer.run(path: file, kind: kind) { progress in bar.update(progress) }
            }
            var report: Importer.Report?
            for try await result in group where result != nil { report = result }
            return report!
        }
        bar.finish()
        withExtendedLifetime(lock) {}
        if report.resumedFrom > 0 { print("Resumed after record \(report.resumedFrom).") }
        say(
            "Imported \(report.imported) \(kind.rawValue), \(report.duplicates) already present, "
                + "\(report.rejected) rejected, from \(report.records) records.")
        for error in report.errors { print("  \(error)") }
    }
}
