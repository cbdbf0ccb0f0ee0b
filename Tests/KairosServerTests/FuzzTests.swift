import Foundation
import HTTPTypes
import HummingbirdTesting
import KairosCore
import NIOCore
import Testing

/// Random, truncated and mutated bodies thrown at every ingest route: each gets a 4xx (or 200)
/// with the error shape, never a 5xx, and the server keeps serving.
@Suite struct FuzzTests {
    static let seeds = [
        #"{"batch":[{"type":"track","userId":"f1","event":"Product Viewed","properties":{"product_id":"p1","price":9.5},"context":{"consent":{"categoryPreferences":{"analytics":true}}}},{"type":"identify","anonymousId":"fa","traits":{"tier":"gold"}}]}"#,
        #"{"userId":"f2","event":"Order Completed","timestamp":"2026-11-20T10:00:00Z","sentAt":"2026-11-20T10:00:01Z","properties":{"products":[{"product_id":"p"}]}}"#,
        #"{"userId":"f3","previousId":"fa","messageId":"x"}"#,
    ]

    @Test func randomBodiesNeverBreakTheServer() async throws {
        try await withKairos { client in
            var generator = SystemRandomNumberGenerator()
            func pick(_ n: Int) -> Int { Int(generator.next(upperBound: UInt64(n))) }
            let routes = ["/v1/batch", "/v1/track", "/v1/identify", "/v1/page", "/v1/screen", "/v1/alias", "/v1/group"]
            let junk = Array(#"{}[]",:0123456789.eE+-truefalsnul\ "#.utf8) + [0x00, 0xFF, 0xC3, 0x0A]
            for round in 0..<1500 {
                var bytes = Array(Self.seeds[pick(Self.seeds.count)].utf8)
                switch pick(4) {
                case 0: bytes = Array(bytes.prefix(pick(bytes.count)))
                case 1:
                    for _ in 0...pick(4) { bytes[pick(bytes.count)] = junk[pick(junk.count)] }
                case 2: bytes = (0..<pick(200)).map { _ in junk[pick(junk.count)] }
                default:
                    bytes.insert(contentsOf: Array(#"{"a":"#.utf8), at: pick(bytes.count))
                }
                let route = routes[pick(routes.count)]
                let status = try await client.execute(
                    uri: route, method: .post,
                    headers: [.authorization: basic(Keys.write), .contentType: "application/json"],
                    body: ByteBuffer(bytes: bytes)
                ) { response -> Int in
                    if response.status.code != 200 {
                        let body = (try? JSONParser.parse(Array(buffer: response.body))) ?? .null
                        #expect(body["error"]?["code"] != nil, "round \(round): no error shape")
                    }
                    return Int(response.status.code)
                }
                #expect(status < 500, "round \(round) on \(route): \(status) for \(String(decoding: bytes, as: UTF8.self))")
            }
            #expect(try await client.send(.get, "/healthz", key: nil).status == 200)
            #expect(
                try await client.send(.post, "/v1/track", key: Keys.write, json: #"{"userId":"after","event":"E"}"#).status == 200)
        }
    }
}
