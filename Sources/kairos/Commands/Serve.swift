import ArgumentParser
import Configuration
import KairosServer
import Logging

/// `kairos serve`: run the server on the embedded default.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the Kairos server.")

    @OptionGroup var options: ConfigurationOptions

    @Option(help: "Interface to listen on (default 127.0.0.1; env KAIROS_HOST).")
    var host: String?

    @Option(help: "Port (default 8080; env KAIROS_PORT).")
    var port: Int?

    @Option(name: .customLong("write-key"), help: "A write key (repeatable; env KAIROS_KEYS_WRITE, comma-separated).")
    var writeKeys: [String] = []

    @Option(name: .customLong("secret-key"), help: "A secret key (repeatable; env KAIROS_KEYS_SECRET).")
    var secretKeys: [String] = []

    @Option(help: "Largest event in bytes (default 32768).")
    var maxEventBytes: Int?

    @Option(help: "Largest request body in bytes, after decompression (default 512000).")
    var maxRequestBytes: Int?

    @Option(help: "YAML file of definitions (features) to load at start (env KAIROS_DEFINITIONS_FILE).")
    var definitions: String?

    @Flag(help: "Load the bundled example data and accept the demo keys (quick start).")
    var exampleData = false

    func run() async throws {
        var flags: [AbsoluteConfigKey: ConfigValue] = [:]
        if let host { flags["host"] = .init(.string(host), isSecret: false) }
        if let port { flags["port"] = .init(.int(port), isSecret: false) }
        if !writeKeys.isEmpty { flags["keys.write"] = .init(.stringArray(writeKeys), isSecret: true) }
        if !secretKeys.isEmpty { flags["keys.secret"] = .init(.stringArray(secretKeys), isSecret: true) }
        if let maxEventBytes { flags["limits.maxEventBytes"] = .init(.int(maxEventBytes), isSecret: false) }
        if let maxRequestBytes { flags["limits.maxRequestBytes"] = .init(.int(maxRequestBytes), isSecret: false) }
        if exampleData { flags["exampleData"] = .init(.bool(true), isSecret: false) }
        if let definitions { flags["definitions.file"] = .init(.string(definitions), isSecret: false) }
        let reader = try await options.reader(flags: flags)
        let logger = options.bootstrapLogging(reader)
        let configuration = try KairosConfiguration(reader: reader)

        let (application, parts) = try await KairosApplication.build(configuration: configuration, logger: logger)
        say("Kairos listening on http://\(configuration.host):\(configuration.port)")
        say("Data directory: \(configuration.dataDirectory)")
        say("Catalog: \(try await parts.pipeline.store.itemCount()) items; profiles load in the background (see /readyz).")
        if let generated = parts.generatedKeys {
            say(
                """
                Generated API keys (shown once; only their hashes are stored):
                  write key:  \(generated.write)   (may only send events; safe in browsers and apps)
                  secret key: \(generated.secret)   (reads profiles, manages the catalog; keep it server-side)
                """)
        }
        if configuration.exampleData {
            say("Demo keys accepted: write '\(KeyRing.demoWriteKey)', secret '\(KeyRing.demoSecretKey)' (not for production).")
        }
        try await application.runService()
    }
}
