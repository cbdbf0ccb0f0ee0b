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

    /// An import's progress: the share of the file read, records and rate.
    func update(_ progress: Importer.Progress) {
        let rate = Double(progress.records) / max(Date().timeIntervalSince(started), 0.001)
        let fraction = progress.totalBytes > 0 && progress.bytesRead > 0
            ? Double(progress.bytesRead) / Double(progress.totalBytes) : nil
        draw(fraction: fraction, detail: "\(progress.records) records, \(progress.rejected) rejected, \(Int(rate))/s")
    }

    /// A phase's progress (`done` of `total`).
    func update(phase: String, done: Int, total: Int) {
        draw(fraction: total > 0 ? Double(done) / Double(total) : nil, detail: "\(phase) \(done)/\(total)   ")
    }

    private func draw(fraction: Double?, detail: String) {
        lock.lock()
        defer { lock.unlock() }
        let now = Date()
        guard now.timeIntervalSince(lastDraw) >= 0.1 else { return }
        lastDraw = now
        var line = "\r\(label) "
        if let fraction {
            let clamped = min(1, max(0, fraction))
            let filled = Int(clamped * 30)
            line += "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: 30 - filled) + "] "
            line += String(format: "%3.0f%% ", clamped * 100)
        }
        line += detail
        FileHandle.standardError.write(Data(line.utf8))
    }

    func finish() {
        FileHandle.standardError.write(Data("\n".utf8))
    }
}
