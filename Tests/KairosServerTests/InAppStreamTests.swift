import Crypto
import AsyncHTTPClient
import Foundation
import HummingbirdTesting
import KairosCore
import KairosServer
import Logging
import NIOCore
import Testing

/// Reads Server-Sent Events from `/v1/stream` with a real HTTP client.
struct StreamReader {
    let response: HTTPClientResponse

    static func open(port: Int, person: String, token: String) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/stream?userId=\(person)&token=\(token)")
        request.method = .GET
        return try await HTTPClient.shared.execute(request, timeout: .seconds(30))
    }
}

@Suite(.serialized) struct InAppStreamTests {
    static func live<Value: Sendable>(
        _ body: @Sendable (any TestClientProtocol, Int) async throws -> Value
    ) async throws -> Value {
        var logger = Logger(label: "stream-test")
        logger.logLevel = .warning
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var configuration = testConfiguration(directory)
        configuration.streamSecret = "stream-test-secret"
        let (application, parts) = try await KairosApplication.build(configuration: configuration, logger: logger)
        return try await application.test(.live) { client in
            while !parts.pipeline.isReady { try await Task.sleep(for: .milliseconds(5)) }
            return try await body(client, try #require(client.port))
        }
    }

    @Test func aConnectedAppGetsItsMessageWithinAFractionOfASecondAndAnotherPersonCannotListen() async throws {
        try await Self.live { client, port in
            #expect(try await client.send(.put, "/v1/admin/channels/app", json: #"{"type":"inapp","ttl":"1h"}"#).status == 200)
            #expect(
                try await client.send(
                    .put, "/v1/admin/triggers/welcome_back",
                    json: #"{"when":"event.name == \"App Opened\"","channel":"app","message":{"title":"Welcome back, {{profile.traits.name}}"}}"#
                ).status == 200)
            try await client.send(.post, "/v1/identify", key: Keys.write, json: #"{"userId":"mia","traits":{"name":"Mia"}}"#)
            let minted = try await client.send(.post, "/v1/stream/tokens", json: #"{"userId":"mia"}"#)
            let token = try #require(minted.body["token"]?.stringValue)
            #expect(try await client.send(.post, "/v1/stream/tokens", key: Keys.write, json: #"{"userId":"mia"}"#).status == 403)
            // Someone else's token does not open Mia's stream.
            let other = try await client.send(.post, "/v1/stream/tokens", json: #"{"userId":"max"}"#).body["token"]?.stringValue ?? ""
            let refused = try await StreamReader.open(port: port, person: "mia", token: other)
            #expect(refused.status.code == 401)
            #expect(try await client.send(.get, "/v1/stream", key: nil).status == 422)
            #expect(try await client.send(.get, "/v1/stream?userId=mia&token=zz", key: nil).status == 401)
            #expect(try await client.send(.post, "/v1/stream/tokens", json: "{}").body["error"]?["field"] == "userId")

            let response = try await StreamReader.open(port: port, person: "mia", token: token)
            #expect(response.status.code == 200)
            #expect(response.headers.first(name: "Content-Type") == "text/event-stream")
            var body = response.body.makeAsyncIterator()
            _ = try await body.next()  // ": connected"
            let sent = ContinuousClock.now
            try await client.send(.post, "/v1/track", key: Keys.write, json: #"{"userId":"mia","event":"App Opened"}"#)
            var text = ""
            while !text.contains("\n\n"), let chunk = try await body.next() {
                text += String(buffer: chunk)
                if text.hasPrefix(": ping") { text = "" }
            }
            let latency = ContinuousClock.now - sent
            #expect(text.contains("event: message"))
            #expect(text.contains("Welcome back, Mia"))
            #expect(text.contains("id: welcome_back:"))
            #expect(latency < .milliseconds(1000), "in-app delivery took \(latency)")
            let delivered = try await client.send(.get, "/v1/admin/deliveries?state=delivered").body["deliveries"]?.arrayValue
            #expect(delivered?.count == 1)
        }
    }

    @Test func aMessageForSomeoneOfflineWaitsAndArrivesOnConnect() async throws {
        try await Self.live { client, port in
            try await client.send(.put, "/v1/admin/channels/app", json: #"{"type":"inapp","ttl":"1h"}"#)
            try await client.send(
                .put, "/v1/admin/triggers/nudge",
                json: #"{"when":"event.name == \"Product Added\"","channel":"app","message":{"title":"Your cart misses you"}}"#)
            try await client.send(.post, "/v1/track", key: Keys.write, json: #"{"userId":"leo","event":"Product Added"}"#)
            // Not connected: the message waits.
            var pending: [JSONValue] = []
            for _ in 0..<100 {
                pending = try await client.send(.get, "/v1/admin/deliveries?state=pending").body["deliveries"]?.arrayValue ?? []
                if !pending.isEmpty { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(pending.count == 1)
            let token = try await client.send(.post, "/v1/stream/tokens", json: #"{"userId":"leo"}"#).body["token"]?.stringValue ?? ""
            let response = try await StreamReader.open(port: port, person: "leo", token: token)
            var body = response.body.makeAsyncIterator()
            var text = ""
            while !text.contains("Your cart misses you"), let chunk = try await body.next() { text += String(buffer: chunk) }
            #expect(text.contains("event: message"))
            let delivered = try await client.send(.get, "/v1/admin/deliveries?state=delivered").body["deliveries"]?.arrayValue
            #expect(delivered?.count == 1)
        }
    }

    @Test func anAnonymousVisitorsTokenOpensTheirStreamButNotTheSameNamedCustomers() async throws {
        try await Self.live { client, port in
            let minted = try await client.send(.post, "/v1/stream/tokens", json: #"{"anonymousId":"mia"}"#)
            #expect(minted.body["anonymousId"] == "mia")
            let token = try #require(minted.body["token"]?.stringValue)
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/stream?anonymousId=mia")
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
            let anonymous = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
            #expect(anonymous.status.code == 200)
            // A visitor who picks "mia" as anonymousId must not read the customer mia's messages.
            #expect(try await StreamReader.open(port: port, person: "mia", token: token).status.code == 401)
            // A customer's token is the documented hex(HMAC-SHA256(stream.secret, userId)).
            let expected = HMAC<SHA256>.authenticationCode(
                for: Array("mia".utf8), using: SymmetricKey(data: Array("stream-test-secret".utf8))
            ).withUnsafeBytes { Hex.encode($0) }
            #expect(try await client.send(.post, "/v1/stream/tokens", json: #"{"userId":"mia"}"#).body["token"] == .string(expected))
            #expect(try await client.send(.post, "/v1/stream/tokens", json: #"{"userId":7}"#).body["error"]?["code"] == "invalid_field")
        }
    }
}
