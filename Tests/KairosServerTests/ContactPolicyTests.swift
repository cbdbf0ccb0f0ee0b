import Foundation
import HummingbirdTesting
import KairosCore
import KairosServer
import Testing

@Suite struct ContactPolicyTests {
    /// Waits until `count` messages exist and returns them (newest first).
    static func deliveries(_ client: some TestClientProtocol, count: Int) async throws -> [JSONValue] {
        var list: [JSONValue] = []
        for _ in 0..<300 {
            list = try await client.send(.get, "/v1/admin/deliveries").body["deliveries"]?.arrayValue ?? []
            if list.count >= count { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        return list
    }

    @Test func capsPerChannelAcrossChannelsAndQuietHoursSuppressWithTheReason() async throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var configuration = testConfiguration(directory)
        configuration.delivery.crossChannelCap = .init(count: 2, window: 86_400_000)
        try await withKairos(directory: directory, configuration: configuration) { client in
            // Webhooks to a port nobody listens on: attempts fail, but the messages count against caps.
            for channel in ["push", "sms"] {
                let cap = channel == "push" ? #","caps":[{"count":1,"per":"24h"}]"# : ""
                #expect(
                    try await client.send(
                        .put, "/v1/admin/channels/\(channel)", json: #"{"type":"webhook","url":"http://127.0.0.1:9/x"\#(cap)}"#
                    ).status == 200)
            }
            #expect(
                try await client.send(
                    .put, "/v1/admin/channels/night",
                    json: #"{"type":"webhook","url":"http://127.0.0.1:9/x","quietHours":\#(quietHours(from: -30, to: 30, zone: "Europe/Istanbul"))}"#
                ).status == 200)
            for (trigger, channel, event) in [("p", "push", "Push Me"), ("s", "sms", "Text Me"), ("n", "night", "Night")] {
                #expect(
                    try await client.send(
                        .put, "/v1/admin/triggers/\(trigger)",
                        json: #"{"when":"event.name == \"\#(event)\"","channel":"\#(channel)","message":{"title":"hi"}}"#
                    ).status == 200)
            }
            // Per-channel cap: one push a day.
            try await client.send(.post, "/v1/track", key: Keys.write, json: #"{"userId":"cap1","event":"Push Me"}"#)
            _ = try await Self.deliveries(client, count: 1)
            try await client.send(.post, "/v1/track", key: Keys.write, json: #"{"userId":"cap1","event":"Push Me"}"#)
            var list = try await Self.deliveries(client, count: 2)
            #expect(list.first?["state"] == "suppressed")
            #expect(list.first?["lastError"] == "contact cap: 1 per 1d on push")
            // Cross-channel cap: two a day in all; the first push still counts.
            try await client.send(.post, "/v1/track", key: Keys.write, json: #"{"userId":"cap1","event":"Text Me"}"#)
            _ = try await Self.deliveries(client, count: 3)
            try await client.send(.post, "/v1/track", key: Keys.write, json: #"{"userId":"cap1","event":"Text Me"}"#)
            list = try await Self.deliveries(client, count: 4)
            #expect(list.first?["lastError"] == "contact cap: 2 per 1d across channels")
            // Quiet hours in the person's time zone (all day long here).
            try await client.send(
                .post, "/v1/track", key: Keys.write,
                json: #"{"userId":"owl","event":"Night","context":{"timezone":"Europe/Istanbul"}}"#)
            list = try await Self.deliveries(client, count: 5)
            let owl = list.first { $0["userId"] == "owl" }
            #expect(owl?["state"] == "suppressed")
            #expect(owl?["lastError"] == "quiet hours in Europe/Istanbul")
            // A host outside delivery.allowedHosts cannot be configured.
            let refused = try await client.send(
                .put, "/v1/admin/channels/far", json: #"{"type":"webhook","url":"https://example.com/hook"}"#)
            #expect(refused.status == 422)
            #expect(refused.body["error"]?["field"] == "url")
        }
    }

    @Test func undeliveredMessagesAreDeliveredAfterARestart() async throws {
        let port = Int.random(in: 41_000...49_000)  // nobody listens there
        let receiver = WebhookReceiver(secret: "k", failures: 0)
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let configuration = {
            var configuration = testConfiguration(directory)
            configuration.delivery.retryBase = 100
            return configuration
        }()
        // First life: the receiver is not there; the message stays pending, waiting for its next attempt.
        try await withKairos(directory: directory, configuration: configuration) { client in
            try await client.send(
                .put, "/v1/admin/channels/hook",
                json: #"{"type":"webhook","url":"http://127.0.0.1:\#(port)/hook","secret":"k","maxAttempts":20}"#)
            try await client.send(
                .put, "/v1/admin/triggers/t", json: #"{"when":"event.name == \"Go\"","channel":"hook","message":{"title":"go"}}"#)
            try await client.send(.post, "/v1/track", key: Keys.write, json: #"{"userId":"later","event":"Go"}"#)
            let list = try await ContactPolicyTests.deliveries(client, count: 1)
            #expect(list.first?["state"] == "pending")
        }
        // Second life, the receiver up and the channel pointed at it: delivered, once.
        try await receiver.application.test(.live) { hook in
            let live = try #require(hook.port)
            try await withKairos(directory: directory, configuration: configuration) { client in
                try await client.send(
                    .put, "/v1/admin/channels/hook",
                    json: #"{"type":"webhook","url":"http://127.0.0.1:\#(live)/hook","secret":"k","maxAttempts":20}"#)
                for _ in 0..<300 where receiver.calls(for: "later").isEmpty { try await Task.sleep(for: .milliseconds(20)) }
                try await Task.sleep(for: .milliseconds(300))
                #expect(receiver.calls(for: "later").count == 1)
                let list = try await client.send(.get, "/v1/admin/deliveries").body["deliveries"]?.arrayValue ?? []
                #expect(list.first?["state"] == "delivered")
            }
        }
    }
}
