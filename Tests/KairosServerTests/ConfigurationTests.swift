import Configuration
import Foundation
import KairosCore
import KairosEngine
import KairosServer
import Testing

@Suite struct ConfigurationTests {
    @Test func flagsBeatEnvironmentWhichBeatsTheFile() async throws {
        let file = temporaryDataDirectory() + "/kairos.yaml"
        defer { try? FileManager.default.removeItem(atPath: (file as NSString).deletingLastPathComponent) }
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

    @Test func retentionIsReadWithForeverAndABadOneIsAnError() async throws {
        let defaults = try KairosConfiguration(reader: try await KairosConfiguration.reader(flags: [:], environment: [:], configFile: nil))
        #expect(defaults.retention == .init())
        #expect(defaults.retention.decisions == 30 * 86_400_000 && defaults.retention.waits == 7 * 86_400_000)
        let set = try KairosConfiguration(
            reader: try await KairosConfiguration.reader(
                flags: [:],
                environment: [
                    "KAIROS_RETENTION_DECISIONS": "forever", "KAIROS_RETENTION_MESSAGES": "90d", "KAIROS_RETENTION_WAITS": "12h",
                    "KAIROS_RETENTION_INTERVAL": "1m", "KAIROS_INGEST_MINIMUM_PARALLEL_GROUP": "1000",
                    "KAIROS_RECOMMENDATIONS_SESSIONS": "400000",
                ], configFile: nil))
        #expect(defaults.minimumParallelGroup == 256 && set.minimumParallelGroup == 1000)
        #expect(defaults.sessionCapacity == 50_000 && set.sessionCapacity == 400_000)
        #expect(set.retention.decisions == nil)
        #expect(set.retention.messages == Millis(90 * 86_400_000))
        #expect(set.retention.waits == Millis(12 * 3_600_000))
        #expect(set.retention.interval == .seconds(60))
        for (variable, value, key) in [
            ("KAIROS_RETENTION_DECISIONS", "a month", "retention.decisions"), ("KAIROS_RETENTION_WAITS", "0d", "retention.waits"),
            ("KAIROS_RETENTION_INTERVAL", "forever", "retention.interval"),
            ("KAIROS_INGEST_MINIMUM_PARALLEL_GROUP", "1", "ingest.minimumParallelGroup"),
            ("KAIROS_INGEST_MINIMUM_PARALLEL_GROUP", "-5", "ingest.minimumParallelGroup"),
            ("KAIROS_RECOMMENDATIONS_SESSIONS", "999", "recommendations.sessions"),
        ] {
            let reader = try await KairosConfiguration.reader(flags: [:], environment: [variable: value], configFile: nil)
            do {
                _ = try KairosConfiguration(reader: reader)
                Issue.record("\(variable)=\(value) was accepted")
            } catch {
                #expect(error.field == key)
            }
        }
    }

    @Test func interactionsAreConfigurableAndABadEntryIsAnError() async throws {
        let reader = try await KairosConfiguration.reader(
            flags: [:], environment: ["KAIROS_RECOMMENDATIONS_INTERACTIONS": "Video Watched=2:positive,Ad Closed=1:negative,Product Viewed=0.5:positive"],
            configFile: nil)
        let configuration = try KairosConfiguration(reader: reader)
        #expect(configuration.interactions.rules["Video Watched"] == .init(weight: 2, kind: .positive))
        #expect(configuration.interactions.rules["Ad Closed"] == .init(weight: 1, kind: .negative))
        #expect(configuration.interactions.rules["Product Viewed"]?.weight == 0.5)
        #expect(configuration.interactions.rules["Order Completed"]?.conversion == true)  // the rest of the standard stays
        #expect(try InteractionMapping.standard(with: ["Plan Bought = 5 : positive : conversion"], field: "f").rules["Plan Bought"]?.conversion == true)
        for (index, bad) in ["Video Watched", "=1:positive", "X=2:liked", "X=-1:positive", "X=30:positive", "X=1:positive:yes", "X=one:seen"].enumerated() {
            do {
                _ = try InteractionMapping.standard(with: ["Fine=1:seen", bad], field: "recommendations.interactions")
                Issue.record("accepted \(bad) (\(index))")
            } catch {
                #expect(error.field == "recommendations.interactions" && error.index == 1, "\(bad)")
            }
        }
        let badReader = try await KairosConfiguration.reader(
            flags: [:], environment: ["KAIROS_RECOMMENDATIONS_INTERACTIONS": "Watched"], configFile: nil)
        #expect(throws: APIError.self) { _ = try KairosConfiguration(reader: badReader) }
    }

    /// A configured interaction feeds the models live: viewers of one video get the other.
    @Test func aConfiguredInteractionFeedsTheModels() async throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var configuration = testConfiguration(directory)
        configuration.interactions = try InteractionMapping.standard(with: ["Video Watched=2:positive"], field: "f")
        try await withKairos(directory: directory, configuration: configuration) { client async throws -> Void in
            var events: [String] = []
            for person in 0..<5 {
                for video in ["v1", "v2"] {
                    events.append(#"{"type":"track","userId":"w\#(person)","event":"Video Watched","properties":{"product_id":"\#(video)"}}"#)
                }
            }
            #expect(try await client.send(.post, "/v1/batch", key: Keys.write, json: #"{"batch":[\#(events.joined(separator: ","))]}"#).status == 200)
            #expect(try await client.send(.post, "/v1/track", key: Keys.write, json: #"{"userId":"new","event":"Video Watched","properties":{"product_id":"v1"}}"#).status == 200)
            let decision = try await client.send(.post, "/v1/decide", key: Keys.write, json: #"{"userId":"new","placement":"home","limit":1}"#)
            #expect(DecideTests.ids(decision) == ["v2"])
        }
    }
}
