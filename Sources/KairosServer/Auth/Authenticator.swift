import Foundation
import HTTPTypes
import Hummingbird
import KairosCore

/// Finds the key of a request: HTTP Basic with the key as the username (what Segment SDKs send,
/// with an empty password), `Authorization: Bearer <key>`, or a `writeKey` in a tracking body.
public struct Authenticator: Sendable {
    public let keys: KeyRing

    public init(keys: KeyRing) {
        self.keys = keys
    }

    /// The key presented in the headers, if any.
    public func presentedKey(_ headers: HTTPFields) -> String? {
        guard let authorization = headers[.authorization] else { return nil }
        if authorization.count > 7, authorization.prefix(7).lowercased() == "bearer " {
            return String(authorization.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        }
        if authorization.count > 6, authorization.prefix(6).lowercased() == "basic " {
            // Parsed here rather than with HummingbirdAuth: Segment sends "writeKey:" with an
            // empty password, which that parser rejects.
            let encoded = String(authorization.dropFirst(6)).trimmingCharacters(in: .whitespaces)
            guard let data = Data(base64Encoded: encoded) else { return nil }
            let credentials = String(decoding: data, as: UTF8.self)
            return String(credentials.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)[0])
        }
        return nil
    }

    /// Checks that `key` grants `required`: 401 when missing or unknown, 403 when too weak.
    public func authorize(_ key: String?, required: KeyScope) throws(APIError) {
        guard let key, !key.isEmpty else {
            throw APIError(
                status: 401, code: "unauthorized",
                message: "an API key is required (HTTP Basic username, or Authorization: Bearer)")
        }
        guard let scope = keys.scope(of: key) else {
            throw APIError(status: 401, code: "unauthorized", message: "unknown API key")
        }
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
        try authenticator.authorize(authenticator.presentedKey(request.headers), required: scope)
        return try await next(request, context)
    }
}
