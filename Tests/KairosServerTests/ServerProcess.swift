import Foundation
import KairosCore

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The real `kairos` binary, started as a child process on a data directory (for crash tests).
final class ServerProcess: @unchecked Sendable {
    let process = Process()
    let port: Int
    let directory: String

    static var binary: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("kairos")
    }

    init(directory: String, port: Int = Int.random(in: 20_000...40_000)) throws {
        self.port = port
        self.directory = directory
        process.executableURL = Self.binary
        process.arguments = [
            "serve", "--data-dir", directory, "--port", String(port), "--write-key", Keys.write, "--secret-key", Keys.secret,
            "--log-level", "warning",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    deinit {
        // A test that failed half-way must not leave a server behind.
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    var base: String { "http://127.0.0.1:\(port)" }

    func waitUntilReady(timeout: Duration = .seconds(30)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let (status, _) = try? await request("GET", "/readyz"), status == 200 { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw APIError(status: 500, code: "timeout", message: "server did not become ready")
    }

    func kill9() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
    }

    func request(_ method: String, _ path: String, body: String? = nil, key: String = Keys.secret) async throws -> (Int, JSONValue) {
        var request = URLRequest(url: URL(string: base + path)!)
        request.httpMethod = method
        request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization")
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        request.timeoutInterval = 10
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        return (status, (try? JSONParser.parse([UInt8](data))) ?? .null)
    }
}
