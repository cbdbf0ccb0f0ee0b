import Crypto
import KairosCore
import KairosStore

/// The API keys Kairos accepts, held only as SHA-256 digests and compared in constant time.
public struct KeyRing: Sendable {
    struct Entry: Sendable {
        var digest: [UInt8]
        var scope: KeyScope
    }

    /// Keys accepted by `--example-data` so the README's curl examples work as written.
    public static let demoWriteKey = "demo-write-key"
    public static let demoSecretKey = "demo-secret-key"

    private var entries: [Entry] = []

    public init() {}

    /// Adds a plain-text key.
    public mutating func add(_ key: String, scope: KeyScope) {
        entries.append(Entry(digest: Self.digest(key), scope: scope))
    }

    /// Whether no key is configured.
    public var isEmpty: Bool { entries.isEmpty }

    /// The scope of `presented`, or `nil` if it is not a known key.
    public func scope(of presented: String) -> KeyScope? {
        let digest = Self.digest(presented)
        var found: KeyScope?
        for entry in entries where Self.constantTimeEqual(entry.digest, digest) {
            found = max(found ?? entry.scope, entry.scope)
        }
        return found
    }

    static func digest(_ key: String) -> [UInt8] {
        Array(SHA256.hash(data: Array(key.utf8)))
    }

    /// Compares without an early exit, so timing says nothing about where digests differ.
    static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
        return difference == 0
    }

    /// A fresh random key with a readable prefix (`kw_` write, `ks_` secret).
    public static func generateKey(scope: KeyScope) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        var generator = SystemRandomNumberGenerator()
        let body = String((0..<32).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] })
        return (scope == .write ? "kw_" : "ks_") + body
    }
}

extension KeyRing {
    static let metadataKey = "api-keys"

    /// Builds the key ring for a server: the configured keys; or, when none are configured, the
    /// digests stored in the data directory; or, on a first start, a newly generated pair whose
    /// plain text is returned once so it can be shown to the operator.
    public static func load(
        configuration: KairosConfiguration, store: any DataStore
    ) async throws -> (keys: KeyRing, generated: (write: String, secret: String)?) {
        var ring = KeyRing()
        var generated: (write: String, secret: String)?
        for key in configuration.writeKeys { ring.add(key, scope: .write) }
        for key in configuration.secretKeys { ring.add(key, scope: .secret) }
        if ring.isEmpty {
            if let stored = try await store.metadata(metadataKey) {
                for line in stored.split(separator: "\n") {
                    let parts = line.split(separator: " ")
                    guard parts.count == 2, let scope = KeyScope(rawValue: String(parts[0])),
                        let digest = Hex.decode(String(parts[1]))
                    else { continue }
                    ring.entries.append(Entry(digest: digest, scope: scope))
                }
            } else {
                let pair = (write: generateKey(scope: .write), secret: generateKey(scope: .secret))
                ring.add(pair.write, scope: .write)
                ring.add(pair.secret, scope: .secret)
                let lines = ring.entries.map { "\($0.scope.rawValue) \(Hex.encode($0.digest))" }
                try await store.setMetadata(metadataKey, lines.joined(separator: "\n"))
                generated = pair
            }
        }
        if configuration.exampleData {
            ring.add(demoWriteKey, scope: .write)
            ring.add(demoSecretKey, scope: .secret)
        }
        return (ring, generated)
    }
}
