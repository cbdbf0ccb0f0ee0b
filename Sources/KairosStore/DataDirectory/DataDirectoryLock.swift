import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive lock on a data directory, so a server and an offline import never write the same
/// data at once (the in-memory profiles of a running server would not see the import).
public final class DataDirectoryLock: Sendable {
    private let descriptor: Int32

    /// Takes the lock or throws ``Busy`` when another process holds it.
    public init(directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = (directory as NSString).appendingPathComponent("kairos.lock")
        let descriptor = open(path, O_CREAT | O_RDWR, 0o600)
        guard descriptor >= 0 else { throw Busy(directory: directory, reason: "cannot open \(path)") }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw Busy(directory: directory, reason: "another Kairos process is using it")
        }
        self.descriptor = descriptor
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }

    /// The directory is locked by another process.
    public struct Busy: Error, CustomStringConvertible {
        public var directory: String
        public var reason: String
        public var description: String { "data directory \(directory) is busy: \(reason)" }
    }
}
