import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KairosCore
import KairosServer
import Logging
import NIOCore
import Testing

enum Keys {
    static let write = "kw_test_write"
    static let secret = "ks_test_secret"
}

/// A fresh data directory under the temporary directory.
func temporaryDataDirectory() -> String {
    let path = NSTemporaryDirectory() + "kairos-test-" + UUID().uuidString
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func testConfiguration(_ directory: String) -> KairosConfiguration {
    KairosConfiguration(dataDirectory: directory, writeKeys: [Keys.write], secretKeys: [Keys.secret])
}

/// Runs `body` against a Kairos application on `directory` (router-level testing); without one,
/// on a fresh temporary directory that is removed afterwards.
func withKairos<Value: Sendable>(
    directory: String? = nil, configuration: KairosConfiguration? = nil,
    _ body: @Sendable (any TestClientProtocol) async throws -> Value
) async throws -> Value {
    let owned = directory == nil
    let directory = directory ?? temporaryDataDirectory()
    defer { if owned { try? FileManager.default.removeItem(atPath: directory) } }
    var logger = Logger(label: "kairos-test")
    logger.logLevel = .warning
    let (application, parts) = try await KairosApplication.build(
        configuration: configuration ?? testConfiguration(directory), logger: logger)
    return try await application.test(.router) { client in
        while !parts.pipeline.isReady { try await Task.sleep(for: .milliseconds(5)) }
        return try await body(client)
    }
}

func basic(_ key: String) -> String {
    "Basic " + Data((key + ":").utf8).base64EncodedString()
}

extension TestClientProtocol {
    /// Sends JSON with a key (Basic auth, as Segment SDKs do) and returns status and parsed body.
    @discardableResult
    func send(
        _ method: HTTPRequest.Method, _ uri: String, key: String? = Keys.secret, json: String? = nil,
        headers extra: HTTPFields = [:]
    ) async throws -> (status: Int, body: JSONValue) {
        var headers = extra
        if let key { headers[.authorization] = basic(key) }
        if json != nil && headers[.contentType] == nil { headers[.contentType] = "application/json" }
        return try await execute(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) }) {
            response in
            let bytes = Array(buffer: response.body)
            let body = bytes.isEmpty ? JSONValue.null : ((try? JSONParser.parse(bytes)) ?? .string(String(decoding: bytes, as: UTF8.self)))
            return (Int(response.status.code), body)
        }
    }
}

/// Every byte of every file under `directory`, for "no trace left" checks.
func filesContain(_ needle: String, under directory: String) -> [String] {
    let needleBytes = Array(needle.utf8)
    var hits: [String] = []
    guard let walker = FileManager.default.enumerator(atPath: directory) else { return [] }
    for case let relative as String in walker {
        let path = directory + "/" + relative
        guard let data = FileManager.default.contents(atPath: path) else { continue }
        let bytes = [UInt8](data)
        if bytes.count >= needleBytes.count,
            (0...(bytes.count - needleBytes.count)).contains(where: { bytes[$0..<($0 + needleBytes.count)].elementsEqual(needleBytes) })
        {
            hits.append(relative)
        }
    }
    return hits
}

/// Quiet hours `{"start":"HH:MM","end":"HH:MM"}` from `from` to `to` minutes after now in
/// `zone` (so a test does not depend on the time of day it runs at).
func quietHours(from: Int, to: Int, zone: String) -> String {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: zone)!
    let parts = calendar.dateComponents([.hour, .minute], from: Date())
    let now = (parts.hour ?? 0) * 60 + (parts.minute ?? 0)
    func clock(_ offset: Int) -> String {
        let minutes = ((now + offset) % 1440 + 1440) % 1440
        return String(format: "%02d:%02d", minutes / 60, minutes % 60)
    }
    return #"{"start":"\#(clock(from))","end":"\#(clock(to))"}"#
}
