import Foundation
import Testing

/// The `kairos` commands refuse bad options before doing any work: a non-zero exit and a message
/// that names the option.
@Suite struct CommandLineTests {
    /// Runs the built `kairos` binary; returns its exit status and standard error.
    static func run(_ arguments: [String]) throws -> (status: Int32, error: String) {
        let process = Process()
        process.executableURL = ServerProcess.binary
        process.arguments = arguments
        let errorPipe = Pipe()
        process.standardError = errorPipe
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let error = errorPipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: error, as: UTF8.self))
    }

    @Test(arguments: [
        (["simulate-offers", "--offers", "1"], "--offers ≥ 2"),
        (["simulate-offers", "--exploration", "epsilon:2"], "--exploration must be greedy"),
        (["evaluate-policy"], "give either --log FILE or --data DIR --placement ID"),
        (["evaluate-policy", "--data", "/nowhere"], "--data needs --placement"),
        (["evaluate-policy", "--log", "/nowhere", "--confidence", "1.5"], "--confidence must be in (0, 1)"),
        (["evaluate-policy", "--log", "/nowhere", "--policy", "clairvoyant"], "clairvoyant"),
        (["evaluate", "--interactions", "/nowhere", "--k", "0"], "--k must be from 1 to 100"),
        (["evaluate", "--interactions", "/nowhere", "--timing", "later"], "--timing must be timeline or end"),
        (["simulate"], "pass exactly one of --out DIR or --url URL"),
        (["simulate", "--out", "/tmp/x", "--batch-size", "0"], "--batch-size must be between 1 and 10000"),
        (["simulate", "--url", "http://127.0.0.1:1"], "--url needs --write-key"),
        (["simulate", "--out", "/tmp/x", "--start", "soon"], "--start must be a date"),
    ])
    func badOptionsAreRefusedWithTheirName(arguments: [String], message: String) throws {
        let (status, error) = try Self.run(arguments)
        #expect(status != 0, "\(arguments)")
        #expect(error.contains(message), "\(arguments): \(error)")
    }
}
