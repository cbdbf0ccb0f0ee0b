import Crypto
import Foundation
import KairosCore
import KairosStore

/// Per-person tokens for the in-app stream: `hex(HMAC-SHA256(streamSecret, personId))`, minted by
/// the customer's back end (with the same secret, or through `POST /v1/stream/tokens`) and checked
/// in constant time.
public struct StreamTokens: Sendable {
    static let metadataKey = "stream-secret"
    let key: SymmetricKey

    public init(secret: String) {
        key = SymmetricKey(data: Array(secret.utf8))
    }

    /// The configured secret, or the one generated on the first start and kept in the data directory.
    public static func load(configured: String?, store: any DataStore) async throws -> StreamTokens {
        if let configured { return StreamTokens(secret: configured) }
        if let stored = try await store.metadata(metadataKey) { return StreamTokens(secret: stored) }
        let generated = KeyRing.generateKey(scope: .secret)
        try await store.setMetadata(metadataKey, generated)
        return StreamTokens(secret: generated)
    }

    /// The token of `person`.
    public func token(for person: String) -> String {
        HMAC<SHA256>.authenticationCode(for: Array(person.utf8), using: key).withUnsafeBytes { Hex.encode($0) }
    }

    /// Whether `token` is `person`'s.
    public func verify(_ token: String, for person: String) -> Bool {
        guard let bytes = Hex.decode(token), bytes.count == 32 else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(bytes, authenticating: Array(person.utf8), using: key)
    }
}
