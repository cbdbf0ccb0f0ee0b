import Configuration
import Foundation
import SystemPackage

extension KairosConfiguration {
    /// The configuration hierarchy of `kairos`: `flags` first, then `KAIROS_*` variables of
    /// `environment`, then the YAML file at `configFile` (if any).
    public static func reader(
        flags: [AbsoluteConfigKey: ConfigValue], environment: [String: String], configFile: String?
    ) async throws -> ConfigReader {
        let variables = KeyMappingProvider(upstream: EnvironmentVariablesProvider(environmentVariables: environment)) {
            $0.prepending(["kairos"])
        }
        var providers: [any ConfigProvider] = [InMemoryProvider(name: "flags", values: flags), variables]
        if let configFile {
            guard FileManager.default.fileExists(atPath: configFile) else {
                throw ConfigurationFileMissing(path: configFile)
            }
            providers.append(try await FileProvider<YAMLSnapshot>(filePath: FilePath(configFile)))
        }
        return ConfigReader(providers: providers)
    }

    /// The configuration file given does not exist.
    public struct ConfigurationFileMissing: Error, CustomStringConvertible {
        public var path: String
        public var description: String { "configuration file \(path) does not exist" }
    }
}
