import Configuration
import Foundation
import KairosCore
import KairosServer
import Testing

@Suite struct ConfigurationTests {
    @Test func flagsBeatEnvironmentWhichBeatsTheFile() async throws {
        let file = temporaryDataDirectory() + "/kairos.yaml"
        try """
            host: 0.0.0.0
            port: 9000
            data:
              directory: /srv/kairos
            keys:
              write: [kw_file]
              secret: [ks_file]
            limits:
              maxEventBytes: 1000
              maxRequestBytes: 2000
            profiles:
              recentEvents: 5
            """.write(toFile: file, atomically: true, encoding: .utf8)
        let reader = try await KairosConfiguration.reader(
            flags: ["port": .init(.int(7000), isSecret: false)],
            environment: ["KAIROS_PORT": "8000", "KAIROS_LIMITS_MAX_EVENT_BYTES": "1500", "KAIROS_KEYS_SECRET": "ks_a,ks_b"],
            configFile: file)
        let configuration = try KairosConfiguration(reader: reader)
        #expect(configuration.port == 7000)  // flag
        #expect(configuration.limits.maxEventBytes == 1500)  // environment
        #expect(configuration.secretKeys == ["ks_a", "ks_b"])  // environment, comma-separated
        #expect(configuration.host == "0.0.0.0")  // file
        #expect(configuration.dataDirectory == "/srv/kairos")
        #expect(configuration.writeKeys == ["kw_file"])
        #expect(configuration.limits.maxRequestBytes == 2000)
        #expect(configuration.recentEventLimit == 5)
    }

    @Test func defaultsApplyWhenNothingIsSet() async throws {
        let configuration = try KairosConfiguration(
            reader: try await KairosConfiguration.reader(flags: [:], environment: [:], configFile: nil))
        #expect(configuration.port == 8080)
        #expect(configuration.host == "127.0.0.1")
        #expect(configuration.dataDirectory == "./kairos-data")
        #expect(configuration.limits.maxEventBytes == 32 * 1024)
        #expect(configuration.limits.maxRequestBytes == 500 * 1024)
    }

    @Test func aMissingConfigurationFileIsAnError() async throws {
        await #expect(throws: KairosConfiguration.ConfigurationFileMissing.self) {
            _ = try await KairosConfiguration.reader(flags: [:], environment: [:], configFile: "/nonexistent/kairos.yaml")
        }
    }

    @Test func deliverySettingsAreReadAndABadOneIsAnError() async throws {
        let good = try KairosConfiguration(
            reader: try await KairosConfiguration.reader(
                flags: [:],
                environment: [
                    "KAIROS_DELIVERY_CROSS_CHANNEL_CAP": "5/24h", "KAIROS_DELIVERY_RETRY_BASE": "2s",
                    "KAIROS_DELIVERY_MAX_RETRY_DELAY": "10m",
                ], configFile: nil))
        #expect(good.delivery.crossChannelCap == .init(count: 5, window: 86_400_000))
        #expect(good.delivery.retryBase == 2000)
        #expect(good.delivery.maxRetryDelay == 600_000)
        for (variable, value, key) in [
            ("KAIROS_DELIVERY_CROSS_CHANNEL_CAP", "5/24hrs", "delivery.crossChannelCap"),
            ("KAIROS_DELIVERY_CROSS_CHANNEL_CAP", "five/24h", "delivery.crossChannelCap"),
            ("KAIROS_DELIVERY_RETRY_BASE", "soon", "delivery.retryBase"),
            ("KAIROS_DELIVERY_MAX_RETRY_DELAY", "-1m", "delivery.maxRetryDelay"),
        ] {
            let reader = try await KairosConfiguration.reader(flags: [:], environment: [variable: value], configFile: nil)
            #expect(throws: APIError.self, "\(variable)=\(value)") { _ = try KairosConfiguration(reader: reader) }
            do {
                _ = try KairosConfiguration(reader: reader)
            } catch {
                #expect(error.field == key)
            }
        }
    }
}
