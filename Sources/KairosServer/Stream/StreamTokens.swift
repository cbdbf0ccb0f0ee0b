import Crypto
import Foundation
import KairosCore
import KairosStore

/// Per-person tokens for the in-app stream: `hex(HMAC-SHA256(streamSecret, userId))`, minted by
/// the customer's back end (with the same secret, or through `POST /v1/stream/tokens`) and checked
/// in constant time. Anonymous visitors' tokens are signed with a key derived from the secret
/// (`HMAC-SHA256(streamSecret, "kairos-anonymous-stream")`), so that a visitor who picks another
/// customer's userId as anonymousId gets a token that opens nothing of theirs.
public struct StreamTokens: Sendable {
    static let metadataKey = "stream-secret"
    let key: SymmetricKey
    let anonymousKey: SymmetricKey

    public init(secret: String) {
        key = SymmetricKey(data: Array(secret.utf8))
        anonymousKey = SymmetricKey(
            data: Array(HMAC<SHA256>.authenticationCode(for: Array("kairos-anonymous-stream".utf8), using: key)))
    }

    /// The configured secret, or the one generated on the first start and kept in the data directory.
    public static func load(configured: String?, store: any DataStore) async throws -> StreamTokens {
        if let configured { return StreamTokens(secret: configured) }
        if let stored = try await store.metadata(metadataKey) { return StreamTokens(secret: stored) }
        let generated = KeyRing.generateKey(scope: .secret)
        try await store.setMetadata(metadataKey, generated)
        return StreamTokens(secret: generated)
    }

    /// The token of a person, by profile key (`u:<userId>` or `a:<anonymousId>`).
    public func token(for person: String) -> String {
        let (id, key) = signing(person)
        return HMAC<SHA256>.authenticationCode(for: Array(id.utf8), using: key).withUnsafeBytes { Hex.encode($0) }
    }

    /// Whether `token` is the token of `person` (a profile key).
    public func verify(_ token: String, for person: String) -> Bool {
        guard let bytes = Hex.decode(token), bytes.count == 32 else { return false }
        let (id, key) = signing(person)
        return HMAC<SHA256>.isValidAuthenticationCode(bytes, authenticating: Array(id.utf8), using: key)
    }

    /// The id signed and the key it is signed with.
    private func signing(_ person: String) -> (String, SymmetricKey) {
        person.hasPrefix("a:") ? (String(person.dropFirst(2)), anonymousKey) : (String(person.dropFirst(2)), key)
    }
}
