import Foundation
import HummingbirdTesting
import KairosCore
import Testing

@Suite struct RestartTests {
    @Test func profilesComeBackAfterARestartExactlyAsTheyWere() async throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let before: JSONValue = try await withKairos(directory: directory) { client in
            try await client.send(.post, "/v1/page", key: Keys.write, json: #"{"anonymousId":"r-anon","name":"Home"}"#)
            try await client.send(.post, "/v1/track", key: Keys.write, json: #"{"anonymousId":"r-anon","event":"Viewed"}"#)
            try await client.send(
                .post, "/v1/identify", key: Keys.write, json: #"{"userId":"r-user","anonymousId":"r-anon","traits":{"plan":"pro"}}"#)
            try await client.send(.put, "/v1/profiles/r-user/consent", json: #"{"marketing":false}"#)
            try await client.send(.put, "/v1/items/i1", json: #"{"title":"Kept"}"#)
            return try await client.send(.get, "/v1/profiles/r-anon").body
        }
        try await withKairos(directory: directory) { client async throws -> Void in
            #expect(try await client.send(.get, "/v1/profiles/r-anon").body == before)
            #expect(try await client.send(.get, "/v1/items/i1").body["title"] == "Kept")
        }
    }

    @Test func generatedKeysArePrintedOnceAndWorkAfterARestart() async throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let configuration = KairosConfiguration(dataDirectory: directory)
        var logger = Logging.Logger(label: "t")
        logger.logLevel = .critical
        let generated = try await {
            let first = try await KairosApplication.build(configuration: configuration, logger: logger)
            let pair = try #require(first.parts.generatedKeys)
            #expect(first.parts.keys.scope(of: pair.secret) == .secret)
            #expect(first.parts.keys.scope(of: pair.write) == .write)
            #expect(first.parts.keys.scope(of: pair.write + "x") == nil)
            return pair
        }()
        // Second start: nothing new is generated or printed, and the stored digests still match.
        let second = try await KairosApplication.build(configuration: configuration, logger: logger)
        #expect(second.parts.generatedKeys == nil)
        #expect(second.parts.keys.scope(of: generated.secret) == .secret)
        #expect(second.parts.keys.scope(of: generated.write) == .write)
    }
}

import KairosServer
import Logging
