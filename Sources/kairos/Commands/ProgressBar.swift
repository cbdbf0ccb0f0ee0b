import Foundation
import KairosEngine

/// A one-line progress bar on standard error (redrawn at most 10 times a second).
final class ProgressBar: @unchecked Sendable {
    private let label: String
    private let started = Date()
    private var lastDraw = Date.distantPast
    private let lock = NSLock()

    init(label: String) {
        self.label = label
    }

    func update(_ progress: Importer.Progress) {
        lock.lock()
        defer { lock.unlock() }
        let now = Date()
        guard now.timeIntervalSince(lastDraw) >= 0.1 else { return }
        lastDraw = now
        let rate = Double(progress.records) / max(now.timeIntervalSince(started), 0.001)
        var line = "\r\(label) "
        if progress.totalBytes > 0, progress.bytesRead > 0 {
            let fraction = min(1, Double(progress.bytesRead) / Double(progress.totalBytes))
            let filled = Int(fraction * 30)
            line += "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: 30 - filled) + "] "
            line += String(format: "%3.0f%% ", fraction * 100)
        }
        line += "\(progress.records) records, \(progress.rejected) rejected, \(Int(rate))/s"
        FileHandle.standardError.write(Data(line.utf8))
    }

    func finish() {
        FileHandle.standardError.write(Data("\n".utf8))
    }
}
