import Foundation
import HTTPTypes
import Hummingbird
import KairosCore
import Synchronization

/// Finds the key of a request: HTTP Basic with the key as the username (what Segment SDKs send,
/// with an empty password), `Authorization: Bearer <key>`, or a `writeKey` in a tracking body.
public struct Authenticator: Sendable {
    public let keys: KeyRing
    /// Authorization headers already found to carry a known key, with its scope: the base64
    /// decoding and the digest run once per distinct header, not on every request.
    private let known = KnownHeaders()

    public init(keys: KeyRing) {
        self.keys = keys
    }

    /// Checks the key presented in `headers` against `required` (as ``authorize(_:required:)``);
    /// returns false, without checking, when the headers present no key and `optional` is set
    /// (a tracking body may carry it instead).
    @discardableResult
    public func authorize(headers: HTTPFields, required: KeyScope, optional: Bool = false) throws(APIError) -> Bool {
        let header = headers[.authorization]
        if let header, let scope = known.scope(of: header) {
            try check(scope, required: required)
            return true
        }
        let key = presentedKey(headers)
        if key == nil && optional { return false }
        let scope = try scope(of: key)
        try check(scope, required: required)
        if let header { known.remember(header, scope) }
        return true
    }

    /// The key presented in the headers, if any.
    public func presentedKey(_ headers: HTTPFields) -> String? {
        guard let authorization = headers[.authorization] else { return nil }
        let utf8 = authorization.utf8
        if let credentials = Self.credentials(utf8, scheme: "bearer ") {
            return String(decoding: credentials, as: UTF8.self)
        }
        if let credentials = Self.credentials(utf8, scheme: "basic ") {
            // Parsed here rather than with HummingbirdAuth: Segment sends "writeKey:" with an
            // empty password, which that parser rejects.
            guard let data = Data(base64Encoded: String(decoding: credentials, as: UTF8.self)) else { return nil }
            let user = data.prefix { $0 != UInt8(ascii: ":") }
            return String(decoding: user, as: UTF8.self)
        }
        return nil
    }

    /// What follows `scheme` (lowercase, matched in any case) in `header`, without surrounding
    /// spaces; nil when the header has another scheme or nothing after it.
    private static func credentials(_ header: String.UTF8View, scheme: StaticString) -> Substring.UTF8View? {
        let length = scheme.utf8CodeUnitCount
        guard header.count > length else { return nil }
        var index = header.startIndex
        for position in 0..<length {
            let expected = scheme.utf8Start[position]
            var byte = header[index]
            if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") { byte |= 0x20 }
            guard byte == expected else { return nil }
            index = header.index(after: index)
        }
        var rest = header[index...]
        let isSpace = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        while let first = rest.first, isSpace(first) { rest = rest.dropFirst() }
        while let last = rest.last, isSpace(last) { rest = rest.dropLast() }
        return rest.isEmpty ? nil : rest
    }

    /// Checks that `key` grants `required`: 401 when missing or unknown, 403 when too weak.
    public func authorize(_ key: String?, required: KeyScope) throws(APIError) {
        try check(try scope(of: key), required: required)
    }

    /// The scope of `key`: 401 when missing or unknown.
    private func scope(of key: String?) throws(APIError) -> KeyScope {
        guard let key, !key.isEmpty else {
            throw APIError(
                status: 401, code: "unauthorized",
                message: "an API key is required (HTTP Basic username, or Authorization: Bearer)")
        }
        guard let scope = keys.scope(of: key) else {
            throw APIError(status: 401, code: "unauthorized", message: "unknown API key")
        }
        return scope
    }

    private func check(_ scope: KeyScope, required: KeyScope) throws(APIError) {
        guard scope >= required else {
            throw APIError(status: 403, code: "forbidden", message: "this key may not \(required == .secret ? "read or manage data" : "do this"); use a secret key")
        }
    }
}

/// Rejects requests whose key does not grant `scope`.
public struct RequireKeyMiddleware<Context: RequestContext>: RouterMiddleware {
    let authenticator: Authenticator
    let scope: KeyScope

    public init(_ authenticator: Authenticator, scope: KeyScope) {
        self.authenticator = authenticator
        self.scope = scope
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        try authenticator.authorize(headers: request.headers, required: scope)
        return try await next(request, context)
    }
}

/// Authorization headers known to carry a valid key (ASCII, at most ``longest`` bytes, at most
/// ``capacity`` of them; forgotten all at once when full).
final class KnownHeaders: Sendable {
    static let capacity = 256
    /// Longer headers are checked every time rather than remembered.
    static let longest = 512
    private let scopes = Mutex<[String: KeyScope]>([:])

    /// Only ASCII headers are taken: `String` equality is Unicode equivalence (a Kelvin sign
    /// equals a K), and a key must match byte for byte.
    private static func takes(_ header: String) -> Bool {
        header.utf8.count <= longest && header.utf8.allSatisfy { $0 < 0x80 }
    }

    func scope(of header: String) -> KeyScope? {
        guard Self.takes(header) else { return nil }
        return scopes.withLock { $0[header] }
    }

    func remember(_ header: String, _ scope: KeyScope) {
        guard Self.takes(header) else { return }
        scopes.withLock { scopes in
            if scopes.count >= Self.capacity { scopes.removeAll(keepingCapacity: true) }
            scopes[header] = scope
        }
    }
}
