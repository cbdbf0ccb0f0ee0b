import Foundation
import KairosCore
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Segment's own Python SDK, pointed at Kairos by changing only its host, delivers track, identify
/// and page calls into the right, merged profile. (`.ci/run` installs segment-analytics-python.)
@Suite(.serialized) struct SegmentSDKTests {
    @Test func theSegmentPythonSDKDeliversIntoOneMergedProfile() async throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let server = try ServerProcess(directory: directory)
        defer { server.stop() }
        try await server.waitUntilReady()
        let run = UUID().uuidString.prefix(8).lowercased()
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/segment-sdk-check.py")
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        python.arguments = ["python3", script.path, server.base, Keys.write, String(run)]
        let errors = Pipe()
        python.standardError = errors
        python.standardOutput = FileHandle.nullDevice
        try python.run()
        python.waitUntilExit()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        try #require(python.terminationStatus == 0, "the SDK run failed: \(message)")

        let (status, profile) = try await server.request("GET", "/v1/profiles/sdk-anon-\(run)")
        #expect(status == 200)
        #expect(profile["id"]?.stringValue == "sdk-user-\(run)")
        #expect(profile["traits"]?["plan"] == "pro")
        #expect(profile["eventCounts"]?["page"] == 1)
        #expect(profile["eventCounts"]?["Product Viewed"] == 1)
        #expect(profile["eventCounts"]?["Order Completed"] == 1)
        #expect(profile["eventCounts"]?["identify"] == 1)
        let (_, events) = try await server.request("GET", "/v1/profiles/sdk-user-\(run)/events")
        let library = events["events"]?.arrayValue?.first?["context"]?["library"]?["name"]
        #expect(library == "analytics-python")
        // A fresh process exports its own metrics (bootstrapped before the pipeline made them).
        var request = URLRequest(url: URL(string: server.base + "/metrics")!)
        request.timeoutInterval = 10
        let (data, _) = try await URLSession.shared.data(for: request)
        #expect(String(decoding: data, as: UTF8.self).contains(#"kairos_events_total{outcome="stored"} 4"#))
    }
}
