import Crypto
import HTTPTypes
import Foundation
import Hummingbird
import HummingbirdTesting
import KairosCore
import KairosServer
import Logging
import NIOCore
import Synchronization
import Testing

/// A webhook receiver that fails the first `failures` attempts of each message, checks the
/// signature, and remembers what it was sent.
final class WebhookReceiver: Sendable {
    struct Call: Sendable {
        var idempotencyKey: String
        var signatureValid: Bool
        var body: JSONValue
        var at: ContinuousClock.Instant
        var accepted: Bool
    }

    let secret: String
    let failures: Int
    let calls = Mutex<[Call]>([])

    let port: Int

    init(secret: String, failures: Int, port: Int = 0) {
        self.secret = secret
        self.failures = failures
        self.port = port
    }

    var application: some ApplicationProtocol {
        let router = Router()
        router.post("hook") { request, _ -> Response in
            let bytes = Array(buffer: try await request.body.collect(upTo: 1 << 20))
            let expected = "sha256=" + HMAC<SHA256>.authenticationCode(for: bytes, using: SymmetricKey(data: Array(self.secret.utf8)))
                .map { String(format: "%02x", $0) }.joined()
            let key = request.headers[HTTPField.Name("Idempotency-Key")!] ?? ""
            let accepted = self.calls.withLock { calls in
                let previous = calls.filter { $0.idempotencyKey == key }.count
                let call = Call(
                    idempotencyKey: key, signatureValid: request.headers[HTTPField.Name("X-Kairos-Signature")!] == expected,
                    body: (try? JSONParser.parse(bytes)) ?? .null, at: .now, accepted: previous >= self.failures)
                calls.append(call)
                return call.accepted
            }
            return Response(status: accepted ? .ok : .internalServerError)
        }
        var logger = Logger(label: "receiver")
        logger.logLevel = .critical
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: logger)
    }

    /// Calls for a user, in order.
    func calls(for userId: String) -> [Call] {
        calls.withLock { $0.filter { $0.body["userId"]?.stringValue == userId } }
    }
}

@Suite(.serialized) struct TriggerDeliveryTests {
    static func configure(_ directory: String) -> KairosConfiguration {
        var configuration = testConfiguration(directory)
        configuration.delivery.retryBase = 50
        return configuration
    }

    static func define(_ client: some TestClientProtocol, port: Int, wait: String = "1s") async throws {
        let channel = try await client.send(
            .put, "/v1/admin/channels/push",
            json: #"{"type":"webhook","url":"http://127.0.0.1:\#(port)/hook","secret":"s3cret","maxAttempts":5,"caps":[{"count":3,"per":"24h"}]}"#)
        #expect(channel.status == 200)
        #expect(channel.body["signed"] == true)
        #expect(channel.body["secret"] == nil)
        let trigger = try await client.send(
            .put, "/v1/admin/triggers/cart_abandoned",
            json: """
                {"when": "event.name == \\"Product Added\\"", "wait": "\(wait)", "unless": "event.name == \\"Order Completed\\"",
                 "channel": "push",
                 "message": {"title": "Still thinking about {{event.properties.product_id}}, {{profile.traits.name}}?", "deeplink": "shop://cart"}}
                """)
        #expect(trigger.status == 200)
    }

    static func waitFor(_ condition: () -> Bool, seconds: Double = 15) async throws {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while !condition() && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
    }

    @Test func cartAbandonmentIsDeliveredOnceThroughRetriesAndCancelledByAPurchase() async throws {
        let receiver = WebhookReceiver(secret: "s3cret", failures: 2)
        try await receiver.application.test(.live) { hook in
            let port = try #require(hook.port)
            let directory = temporaryDataDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            try await withKairos(configuration: Self.configure(directory)) { client in
                try await Self.define(client, port: port)
                try await client.send(.post, "/v1/identify", key: Keys.write, json: #"{"userId":"ada","traits":{"name":"Ada"}}"#)
                try await client.send(
                    .post, "/v1/track", key: Keys.write, json: #"{"userId":"ada","event":"Product Added","properties":{"product_id":"shoe-2"}}"#)
                // Bob buys within the wait: no message.
                try await client.send(.post, "/v1/track", key: Keys.write, json: #"{"userId":"bob","event":"Product Added"}"#)
                try await client.send(.post, "/v1/track", key: Keys.write, json: #"{"userId":"bob","event":"Order Completed"}"#)
                // Cy refused marketing: suppressed, with the reason.
                try await client.send(
                    .post, "/v1/track", key: Keys.write,
                    json: #"{"userId":"cy","event":"Product Added","context":{"consent":{"categoryPreferences":{"marketing":false}}}}"#)

                try await Self.waitFor { receiver.calls(for: "ada").count >= 3 }
                let calls = receiver.calls(for: "ada")
                #expect(calls.count == 3)
                #expect(calls.allSatisfy { $0.signatureValid })
                #expect(Set(calls.map(\.idempotencyKey)).count == 1)
                #expect(calls.map(\.accepted) == [false, false, true])
                #expect(calls.last?.body["message"]?["title"] == "Still thinking about shoe-2, Ada?")
                #expect(calls.last?.body["message"]?["deeplink"] == "shop://cart")
                // Exponential backoff: the second gap is about twice the first (50 ms, then 100 ms, ±20 %).
                let first = calls[1].at - calls[0].at
                let second = calls[2].at - calls[1].at
                #expect(first >= .milliseconds(35))
                #expect(second >= .milliseconds(75))

                var deliveries: [JSONValue] = []
                for _ in 0..<300 {
                    deliveries = try await client.send(.get, "/v1/admin/deliveries").body["deliveries"]?.arrayValue ?? []
                    // The receiver sees the third call before the worker records it: wait for both records.
                    if deliveries.contains(where: { $0["userId"] == "cy" }),
                        deliveries.contains(where: { $0["userId"] == "ada" && $0["state"] != "pending" })
                    { break }
                    try await Task.sleep(for: .milliseconds(20))
                }
                let ada = deliveries.first { $0["userId"] == "ada" }
                #expect(ada?["state"] == "delivered")
                #expect(ada?["attempts"] == 3)
                let cy = deliveries.first { $0["userId"] == "cy" }
                #expect(cy?["state"] == "suppressed")
                #expect(cy?["lastError"] == "no marketing consent")
                #expect(!deliveries.contains { $0["userId"] == "bob" })
                #expect(receiver.calls(for: "bob").isEmpty)
                // Nothing more arrives later.
                try await Task.sleep(for: .milliseconds(400))
                #expect(receiver.calls(for: "ada").count == 3)
                let filtered = try await client.send(.get, "/v1/admin/deliveries?state=delivered").body["deliveries"]?.arrayValue
                #expect(filtered?.count == 1)
            }
        }
    }

    @Test func pendingWaitsAndCancellationsSurviveARestart() async throws {
        let receiver = WebhookReceiver(secret: "s3cret", failures: 0)
        try await receiver.application.test(.live) { hook in
            let port = try #require(hook.port)
            let directory = temporaryDataDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            try await withKairos(directory: directory, configuration: Self.configure(directory)) { client in
                try await Self.define(client, port: port, wait: "2s")
                try await client.send(.post, "/v1/track", key: Keys.write, json: #"{"userId":"dee","event":"Product Added"}"#)
                try await client.send(.post, "/v1/track", key: Keys.write, json: #"{"userId":"eve","event":"Product Added"}"#)
                try await client.send(.post, "/v1/track", key: Keys.write, json: #"{"userId":"eve","event":"Order Completed"}"#)
            }
            #expect(receiver.calls(for: "dee").isEmpty)  // stopped before the wait ended
            try await withKairos(directory: directory, configuration: Self.configure(directory)) { client in
                try await Self.waitFor { !receiver.calls(for: "dee").isEmpty }
                try await Task.sleep(for: .milliseconds(300))
                #expect(receiver.calls(for: "dee").count == 1)
                #expect(receiver.calls(for: "eve").isEmpty)
                let deliveries = try await client.send(.get, "/v1/admin/deliveries").body["deliveries"]?.arrayValue ?? []
                #expect(deliveries.map { $0["userId"] } == ["dee"])
            }
        }
    }

    @Test func invalidTriggersAndChannelsAreRejected() async throws {
        try await withKairos { client in
            let noChannel = try await client.send(
                .put, "/v1/admin/triggers/t", json: #"{"when":"true","channel":"nowhere","message":{"title":"x"}}"#)
            #expect(noChannel.status == 422)
            #expect(noChannel.body["error"]?["field"] == "channel")
            #expect(
                try await client.send(.put, "/v1/admin/channels/c", json: #"{"type":"webhook","url":"http://localhost:9/x"}"#).status == 200)
            let template = try await client.send(
                .put, "/v1/admin/triggers/t", json: #"{"when":"true","channel":"c","message":{"title":"Hi {{profile.traits.}}"}}"#)
            #expect(template.status == 422)
            #expect(template.body["error"]?["field"] == "message.title")
            let unless = try await client.send(
                .put, "/v1/admin/triggers/t", json: #"{"when":"true","unless":"true","channel":"c","message":{}}"#)
            #expect(unless.body["error"]?["field"] == "unless")
            #expect(try await client.send(.put, "/v1/admin/channels/c2", json: #"{"type":"webhook","url":"ftp://x"}"#).status == 422)
            #expect(try await client.send(.put, "/v1/admin/channels/c2", json: #"{"type":"carrier-pigeon"}"#).status == 422)
            #expect(
                try await client.send(.put, "/v1/admin/triggers/t", json: #"{"when":"true","channel":"c","message":{"title":"ok"}}"#).status == 200)
            #expect(try await client.send(.delete, "/v1/admin/channels/c").status == 409)
            #expect(try await client.send(.get, "/v1/admin/deliveries?state=lost").status == 422)
        }
    }
}
