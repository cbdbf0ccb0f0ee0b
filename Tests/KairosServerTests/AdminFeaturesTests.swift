import Foundation
import HummingbirdTesting
import KairosCore
import KairosServer
import Testing

@Suite struct AdminFeaturesTests {
    static let views = #"{"type":"count","filter":"event.name == \"Product Viewed\"","window":"1h"}"#

    @Test func aFeatureDefinedLiveCountsNewEventsAndBackfillsHistory() async throws {
        try await withKairos { client in
            // History before the feature exists.
            for index in 0..<3 {
                try await client.send(
                    .post, "/v1/track", key: Keys.write,
                    json: #"{"userId":"f1","event":"Product Viewed","properties":{"product_id":"p\#(index)"}}"#)
            }
            let put = try await client.send(.put, "/v1/admin/features/views_1h", json: Self.views)
            #expect(put.status == 200)
            #expect(put.body["backfilling"] == true)
            try await client.send(.post, "/v1/track", key: Keys.write, json: #"{"userId":"f1","event":"Product Viewed"}"#)
            try await client.send(.post, "/v1/track", key: Keys.write, json: #"{"userId":"f1","event":"Order Completed"}"#)
            // The backfill runs in the background: wait for it.
            var value: JSONValue?
            for _ in 0..<200 {
                value = try await client.send(.get, "/v1/profiles/f1").body["features"]?["views_1h"]
                if value == 4 { break }
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(value == 4)
            let list = try await client.send(.get, "/v1/admin/features").body
            #expect(list["features"]?.arrayValue?.map { $0["id"] } == ["views_1h"])
            #expect(try await client.send(.get, "/v1/admin/features/views_1h").body["window"] == "1h")
        }
    }

    @Test func invalidDefinitionsAreRejectedAndChangeNothing() async throws {
        try await withKairos { client in
            #expect(try await client.send(.put, "/v1/admin/features/views_1h", json: Self.views).status == 200)
            let syntax = try await client.send(
                .put, "/v1/admin/features/bad", json: #"{"type":"count","filter":"event.name ==\n  \"x\" &&"}"#)
            #expect(syntax.status == 422)
            #expect(syntax.body["error"]?["code"] == "invalid_expression")
            #expect(syntax.body["error"]?["field"] == "filter")
            #expect(syntax.body["error"]?["line"] == 2)
            let unknown = try await client.send(
                .put, "/v1/admin/features/bad", json: #"{"type":"count","filter":"features.missing > 2"}"#)
            #expect(unknown.status == 422)
            let types = try await client.send(
                .put, "/v1/admin/features/bad", json: #"{"type":"count","filter":"event.timestamp > 5"}"#)
            #expect(types.status == 422)
            let cycle = try await client.send(
                .put, "/v1/admin/features/views_1h", json: #"{"type":"count","filter":"features.other > 1"}"#)
            #expect(cycle.status == 422)
            let shape = try await client.send(.put, "/v1/admin/features/bad", json: #"{"type":"sum","window":"1h"}"#)
            #expect(shape.body["error"]?["field"] == "value")
            // Nothing of the above is in force.
            let list = try await client.send(.get, "/v1/admin/features").body["features"]?.arrayValue ?? []
            #expect(list.map { $0["id"] } == ["views_1h"])
            #expect(list.first?["filter"] == #"event.name == "Product Viewed""#)
            #expect(try await client.send(.get, "/v1/admin/features/bad").status == 404)
            // A feature in use by another cannot be deleted.
            #expect(
                try await client.send(.put, "/v1/admin/features/hot", json: #"{"type":"count","filter":"features.views_1h > 2"}"#).status == 200)
            #expect(try await client.send(.delete, "/v1/admin/features/views_1h").status == 409)
            #expect(try await client.send(.delete, "/v1/admin/features/hot").status == 204)
            #expect(try await client.send(.delete, "/v1/admin/features/views_1h").status == 204)
            #expect(try await client.send(.delete, "/v1/admin/features/views_1h").status == 404)
            #expect(try await client.send(.get, "/v1/admin/features", key: Keys.write).status == 403)
        }
    }

    @Test func featuresSurviveARestartAndComeFromAYAMLFile() async throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = directory + "/definitions.yaml"
        try """
            features:
              - id: spend_30d
                type: sum
                filter: event.name == "Order Completed"
                value: event.properties.revenue
                window: 30d
              - id: last_product
                type: last
                value: event.properties.product_id
            """.write(toFile: file, atomically: true, encoding: .utf8)
        var configuration = testConfiguration(directory)
        configuration.definitionsFile = file
        try await withKairos(directory: directory, configuration: configuration) { client in
            try await client.send(
                .post, "/v1/batch", key: Keys.write,
                json: #"{"batch":[{"type":"track","userId":"y1","event":"Order Completed","properties":{"revenue":40.5,"product_id":"p1"}},{"type":"track","userId":"y1","event":"Order Completed","properties":{"revenue":9.5,"product_id":"p2"}}]}"#)
            let features = try await client.send(.get, "/v1/profiles/y1").body["features"]
            #expect(features?["spend_30d"] == 50)
            #expect(features?["last_product"] == "p2")
            #expect(try await client.send(.put, "/v1/admin/features/orders", json: #"{"type":"count","filter":"event.name == \"Order Completed\""}"#).status == 200)
        }
        // Restart without the file: stored definitions (including the live one) come back, values are rebuilt.
        try await withKairos(directory: directory) { client async throws -> Void in
            let features = try await client.send(.get, "/v1/profiles/y1").body["features"]
            #expect(features?["spend_30d"] == 50)
            #expect(features?["last_product"] == "p2")
            #expect(features?["orders"] == 2)
        }
    }

    @Test func aDefinitionsFileDeclaresChannelsAndTriggersWhoseWhenReadsFeatures() async throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = directory + "/definitions.yaml"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try """
            features:
              - { id: views_1h, type: count, filter: 'event.name == "Product Viewed"', window: 1h }
            channels:
              - { id: app, type: inapp, ttl: 1h }
              - { id: hook, type: webhook, url: 'http://127.0.0.1:9/hook', secret: s3cret }
            triggers:
              - id: third_view
                when: 'event.name == "Product Viewed" && features.views_1h == 3'
                channel: app
                message: { title: 'Seen {{features.views_1h}} products' }
            """.write(toFile: file, atomically: true, encoding: .utf8)
        var configuration = testConfiguration(directory)
        configuration.definitionsFile = file
        try await withKairos(directory: directory, configuration: configuration) { client in
            #expect(try await client.send(.get, "/v1/admin/triggers/third_view").status == 200)
            for _ in 0..<2 {
                try await client.send(.post, "/v1/track", key: Keys.write, json: #"{"userId":"v1","event":"Product Viewed"}"#)
            }
            try await Task.sleep(for: .milliseconds(200))
            #expect(try await client.send(.get, "/v1/admin/deliveries").body["deliveries"]?.arrayValue?.isEmpty == true)
            try await client.send(.post, "/v1/track", key: Keys.write, json: #"{"userId":"v1","event":"Product Viewed"}"#)
            var deliveries: [JSONValue] = []
            for _ in 0..<200 where deliveries.isEmpty {
                deliveries = try await client.send(.get, "/v1/admin/deliveries").body["deliveries"]?.arrayValue ?? []
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(deliveries.count == 1)
            #expect(deliveries.first?["payload"]?["title"] == "Seen 3 products")
        }
        // Restarted without the file, the stored channels keep their signing secret.
        try await withKairos(directory: directory) { client async throws -> Void in
            #expect(try await client.send(.get, "/v1/admin/channels/hook").body["signed"] == true)
        }
        // A channel outside delivery.allowedHosts in the file stops the start.
        try "channels:\n  - { id: far, type: webhook, url: 'https://example.com/hook' }\n".write(toFile: file, atomically: true, encoding: .utf8)
        await #expect(throws: APIError.self) {
            _ = try await KairosApplication.build(configuration: configuration, logger: .init(label: "t"))
        }
    }

    @Test func segmentsReadingTheEventBodyHaveTheSameMembersAfterARestart() async throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await withKairos(directory: directory) { client async throws -> Void in
            #expect(try await client.send(.put, "/v1/admin/segments/mobile", json: #"{"condition":"context.device.type == \"mobile\""}"#).status == 200)
            try await client.send(.post, "/v1/track", key: Keys.write, json: #"{"userId":"m1","event":"Opened","context":{"device":{"type":"mobile"}}}"#)
            try await client.send(.post, "/v1/track", key: Keys.write, json: #"{"userId":"d1","event":"Opened","context":{"device":{"type":"desktop"}}}"#)
            #expect(try await client.send(.get, "/v1/admin/segments/mobile").body["size"] == 1)
        }
        try await withKairos(directory: directory) { client async throws -> Void in
            #expect(try await client.send(.get, "/v1/admin/segments/mobile").body["size"] == 1)
            #expect(try await client.send(.get, "/v1/profiles/m1").body["segments"] == ["mobile"])
        }
    }

    @Test func concurrentDefinitionChangesAllTakeEffect() async throws {
        try await withKairos { client async throws -> Void in
            try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<8 {
                    group.addTask {
                        try await client.send(
                            .put, "/v1/admin/features/f\(index)", json: #"{"type":"count","filter":"event.name == \"Viewed\""}"#
                        ).status
                    }
                }
                for try await status in group { #expect(status == 200) }
            }
            try await client.send(.post, "/v1/track", key: Keys.write, json: #"{"userId":"c1","event":"Viewed"}"#)
            let features = try await client.send(.get, "/v1/profiles/c1").body["features"]?.objectValue ?? [:]
            #expect(features.count == 8)
            #expect(features.values.allSatisfy { $0 == 1 })
        }
    }

    @Test func aDefinitionsFileMayReferToStoredDefinitionsAndIsCheckedForItsShape() async throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // A feature defined through the API, then a file whose segment reads it.
        try await withKairos(directory: directory) { client async throws -> Void in
            #expect(try await client.send(.put, "/v1/admin/features/views", json: #"{"type":"count","filter":"event.name == \"Viewed\""}"#).status == 200)
        }
        let file = directory + "/definitions.yaml"
        try "segments:\n  - { id: viewers, condition: 'features.views > 0' }\ntriggers:\n".write(toFile: file, atomically: true, encoding: .utf8)
        var configuration = testConfiguration(directory)
        configuration.definitionsFile = file
        try await withKairos(directory: directory, configuration: configuration) { client async throws -> Void in
            #expect(try await client.send(.get, "/v1/admin/segments/viewers").status == 200)
        }
        // Refused at start: an id twice, an unknown section, a section that is not a list.
        for text in [
            "features:\n  - { id: a, type: count }\n  - { id: a, type: count }\n",
            "featurs:\n  - { id: a, type: count }\n",
            "segments: { id: a }\n",
        ] {
            try text.write(toFile: file, atomically: true, encoding: .utf8)
            await #expect(throws: APIError.self, "\(text)") {
                _ = try await KairosApplication.build(configuration: configuration, logger: .init(label: "t"))
            }
        }
    }

    @Test func aBrokenDefinitionsFileStopsTheStart() async throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = directory + "/definitions.yaml"
        try "features:\n  - id: x\n    type: count\n    filter: event.name ==\n".write(toFile: file, atomically: true, encoding: .utf8)
        var configuration = testConfiguration(directory)
        configuration.definitionsFile = file
        await #expect(throws: APIError.self) {
            _ = try await KairosApplication.build(configuration: configuration, logger: .init(label: "t"))
        }
    }
}
