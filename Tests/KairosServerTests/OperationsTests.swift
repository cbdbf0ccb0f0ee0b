import HummingbirdTesting
import KairosCore
import Testing

@Suite struct OperationsTests {
    @Test func healthReadinessMetricsAndOpenAPI() async throws {
        try await withKairos { client in
            #expect(try await client.send(.get, "/healthz", key: nil).body["status"] == "ok")
            try await client.send(.post, "/v1/track", key: Keys.write, json: #"{"userId":"m1","event":"E"}"#)
            try await client.send(.post, "/v1/track", key: Keys.write, json: #"{"event":"E"}"#)
            let ready = try await client.send(.get, "/readyz", key: nil)
            #expect(ready.status == 200)
            #expect(ready.body["status"] == "ready")
            let metrics = try await client.send(.get, "/metrics", key: nil).body.stringValue ?? ""
            for name in [
                #"kairos_events_total{outcome="stored"}"#, #"kairos_events_rejected_total{reason="missing_identity"}"#,
                "kairos_commit_batch_events", "kairos_commit_duration_seconds", "kairos_profiles", "http_server_request_duration",
            ] {
                #expect(metrics.contains(name), "missing \(name)")
            }
            // No personal data in metrics: routes are labelled by pattern.
            #expect(!metrics.contains("m1"))
            let openapi = try await client.send(.get, "/openapi.json", key: nil)
            #expect(openapi.status == 200)
            #expect(openapi.body["paths"]?["/v1/track"] != nil)
        }
    }

    /// Model sizes and memory in `/metrics`, growing with what the models learned.
    @Test func modelMemoryIsReported() async throws {
        try await withKairos { client in
            func gauge(_ metrics: String, _ name: String) -> Double {
                metrics.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Double($0.split(separator: " ").last ?? "") } ?? -1
            }
            let before = try await client.send(.get, "/metrics", key: nil).body.stringValue ?? ""
            #expect(gauge(before, "kairos_model_covisitation_pairs") == 0)
            try await DecideTests.seed(client)
            let after = try await client.send(.get, "/metrics", key: nil).body.stringValue ?? ""
            // 6 campers × 3 items and 6 runners × 2 items: 3 pairs each way among the tent, bag and lamp, 1 among the shoes.
            #expect(gauge(after, "kairos_model_covisitation_pairs") == 8)
            #expect(gauge(after, "kairos_model_items") == 8)
            #expect(gauge(after, "kairos_model_sessions") == 12)
            // Every model holds more than its empty containers (the refresher builds popularity and content within a second).
            var metrics = after
            let deadline = ContinuousClock.now + .seconds(5)
            while gauge(metrics, #"kairos_model_bytes{model="content"}"#) <= 1000 && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
                metrics = try await client.send(.get, "/metrics", key: nil).body.stringValue ?? ""
            }
            for model in ["covisitation", "sessions", "popularity", "content", "catalog", "item_index"] {
                #expect(gauge(metrics, #"kairos_model_bytes{model="\#(model)"}"#) > 100, "\(model)")
                #expect(gauge(before, #"kairos_model_bytes{model="\#(model)"}"#) < gauge(metrics, #"kairos_model_bytes{model="\#(model)"}"#), "\(model)")
            }
            #expect(gauge(after, #"kairos_model_bytes{model="covisitation"}"#) > gauge(before, #"kairos_model_bytes{model="covisitation"}"#))
        }
    }

    /// A failure inside a running application (here, a test body that throws) tears its services
    /// down instead of leaving them waiting forever.
    @Test(.timeLimit(.minutes(1))) func servicesStopWhenTheirTaskIsCancelled() async throws {
        struct Failure: Error {}
        await #expect(throws: Failure.self) {
            try await withKairos { client async throws -> Void in
                try await DecideTests.seed(client)
                throw Failure()
            }
        }
    }
}
