import Foundation
import KairosCore
import Synchronization
import Testing

/// `kill -9` during sustained load: every acknowledged event is there after the restart, none is
/// duplicated, and the recovered profiles equal those of a clean import of the stored events.
@Suite(.serialized) struct CrashRecoveryTests {
    static let users = 40

    @Test func acknowledgedEventsSurviveKillNine() async throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let server = try ServerProcess(directory: directory)
        try await server.waitUntilReady()

        let load = LoadState()
        try await load.run(workers: 8, for: .milliseconds(1500), then: { server.kill9() }) { worker, round in
            let ids = (0..<50).map { "w\(worker)-r\(round)-e\($0)" }
            let events = ids.enumerated().map { offset, id in
                let user = "crash-u\((worker * 7 + offset) % Self.users)"
                let anonymous = "crash-a\((worker * 7 + offset) % Self.users)"
                return #"{"type":"track","event":"E\#(offset % 3)","userId":"\#(user)","anonymousId":"\#(anonymous)","messageId":"\#(id)"}"#
            }
            let body = #"{"batch":[\#(events.joined(separator: ","))]}"#
            let (status, _) = try await server.request("POST", "/v1/batch", body: body, key: Keys.write)
            return status == 200 ? ids : []
        }
        let acked = load.acknowledged.withLock { $0 }
        #expect(acked.count > 500, "too little load before the kill to be meaningful")

        // Restart on the same directory and read everything back.
        let restarted = try ServerProcess(directory: directory)
        try await restarted.waitUntilReady()
        var stored: [String] = []
        var recovered: [String: JSONValue] = [:]
        var exportLines: [String] = []
        for user in 0..<Self.users {
            let (status, export) = try await restarted.request("GET", "/v1/profiles/crash-u\(user)/export")
            guard status == 200 else { continue }
            let events = export["events"]?.arrayValue ?? []
            stored += events.compactMap { $0["messageId"]?.stringValue }
            exportLines += events.map { event -> String in
                guard case .object(var fields) = event else { return "" }
                fields.removeValue(forKey: "seq")
                return JSONWriter.string(.object(fields))
            }
            recovered["crash-u\(user)"] = export["profile"]
            #expect(export["profile"]?["eventTotal"]?.numberValue.map { Int($0) } == events.count)
        }
        restarted.stop()
        let storedSet = Set(stored)
        #expect(storedSet.count == stored.count, "an event was stored twice")
        #expect(acked.subtracting(storedSet).isEmpty, "\(acked.subtracting(storedSet).count) acknowledged events were lost")

        // A clean replay: import the stored events into a fresh directory and compare profiles.
        let cleanDirectory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: cleanDirectory) }
        let file = cleanDirectory + "/events.ndjson"
        try exportLines.joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let importer = Process()
        importer.executableURL = ServerProcess.binary
        importer.arguments = ["import", file, "--data-dir", cleanDirectory, "--log-level", "error"]
        importer.standardOutput = FileHandle.nullDevice
        importer.standardError = FileHandle.nullDevice
        try importer.run()
        importer.waitUntilExit()
        #expect(importer.terminationStatus == 0)
        let clean = try ServerProcess(directory: cleanDirectory)
        try await clean.waitUntilReady()
        defer { clean.stop() }
        for (user, profile) in recovered {
            let (_, replayed) = try await clean.request("GET", "/v1/profiles/\(user)")
            for field in ["eventCounts", "eventTotal", "firstSeen", "lastSeen", "userIds", "anonymousIds", "traits"] {
                #expect(replayed[field] == profile[field], "\(user).\(field) differs from a clean replay")
            }
        }
    }
}

/// Sustained load from several workers until `then` is called; remembers what was acknowledged.
final class LoadState: Sendable {
    let acknowledged = Mutex<Set<String>>([])
    let stop = Atomic<Bool>(false)

    /// Each worker calls `send(worker, round)` in a loop (returning the acknowledged ids) until
    /// `duration` has passed and `then` ran, or the server stops answering.
    func run(
        workers: Int, for duration: Duration, then: @Sendable () -> Void,
        send: @escaping @Sendable (Int, Int) async throws -> [String]
    ) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<workers {
                group.addTask {
                    var round = 0
                    while !self.stop.load(ordering: .relaxed) {
                        round += 1
                        guard let ids = try? await send(worker, round) else { return }  // the server is gone
                        self.acknowledged.withLock { $0.formUnion(ids) }
                    }
                }
            }
            try await Task.sleep(for: duration)
            then()
            stop.store(true, ordering: .relaxed)
            try await group.waitForAll()
        }
    }
}

/// SIGTERM during load: in-flight requests are answered, everything acknowledged is stored, the
/// process exits cleanly.
@Suite(.serialized) struct GracefulShutdownTests {
    @Test func sigtermDrainsInFlightRequests() async throws {
        let directory = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let server = try ServerProcess(directory: directory)
        try await server.waitUntilReady()
        let load = LoadState()
        try await load.run(workers: 6, for: .milliseconds(1000), then: { server.process.terminate() }) { worker, round in
            let id = "g\(worker)-\(round)"
            let body = #"{"type":"track","event":"E","userId":"graceful","messageId":"\#(id)"}"#
            let (status, _) = try await server.request("POST", "/v1/track", body: body, key: Keys.write)  // SIGTERM comes meanwhile
            return status == 200 ? [id] : []
        }
        server.process.waitUntilExit()
        #expect(server.process.terminationStatus == 0)
        let acknowledged = load.acknowledged.withLock { $0 }
        let restarted = try ServerProcess(directory: directory)
        defer { restarted.stop() }
        try await restarted.waitUntilReady()
        let (_, profile) = try await restarted.request("GET", "/v1/profiles/graceful")
        let total = profile["eventTotal"]?.numberValue.map { Int($0) } ?? 0
        #expect(acknowledged.count > 10, "too little load before the signal to be meaningful")
        #expect(total >= acknowledged.count)
    }
}
