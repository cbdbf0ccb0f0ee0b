import ArgumentParser
import Configuration
import Foundation
import KairosServer
import Logging

/// Options shared by the commands that open a data directory.
struct ConfigurationOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "Data directory (default ./kairos-data; env KAIROS_DATA_DIRECTORY).")
    var dataDirectory: String?

    @Option(name: .customLong("config"), help: "YAML configuration file (env KAIROS_CONFIG).")
    var configFile: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error (default info).")
    var logLevel: String?

    /// Flags first, then `KAIROS_*` environment variables, then the YAML file.
    func reader(flags: [AbsoluteConfigKey: ConfigValue]) async throws -> ConfigReader {
        var values = flags
        if let dataDirectory { values["data.directory"] = .init(.string(dataDirectory), isSecret: false) }
        if let logLevel { values["log.level"] = .init(.string(logLevel), isSecret: false) }
        let environment = ProcessInfo.processInfo.environment
        return try await KairosConfiguration.reader(
            flags: values, environment: environment, configFile: configFile ?? environment["KAIROS_CONFIG"])
    }

    func bootstrapLogging(_ reader: ConfigReader) -> Logger {
        let level = Logger.Level(rawValue: reader.string(forKey: "log.level", default: "info")) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        return Logger(label: "kairos")
    }
}
