/// An error answered to a client: an HTTP status and the JSON body
/// `{"error": {"code", "message", "field"?, "index"?}}`.
public struct APIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// HTTP status code (400, 401, 403, 404, 409, 413, 415, 422, 429, 500, 503).
    public var status: Int
    /// A stable machine-readable code, e.g. `invalid_field`.
    public var code: String
    /// A human-readable explanation.
    public var message: String
    /// The offending field as a dotted path, e.g. `properties.price`.
    public var field: String?
    /// The position of the offending element in a batch.
    public var index: Int?
    /// Line and column of the problem inside an expression, when there is one.
    public var line: Int?
    public var column: Int?

    public init(status: Int, code: String, message: String, field: String? = nil, index: Int? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.index = index
    }

    public var description: String { "\(status) \(code): \(message)" }

    /// The same error, located at `index` in a batch.
    public func at(index: Int) -> APIError {
        var copy = self
        copy.index = index
        return copy
    }

    /// The `{"code", "message", "field"?, "index"?}` object.
    public var detail: JSONValue {
        var fields: [String: JSONValue] = ["code": .string(code), "message": .string(message)]
        if let field { fields["field"] = .string(field) }
        if let index { fields["index"] = .number(Double(index)) }
        if let line { fields["line"] = .number(Double(line)) }
        if let column { fields["column"] = .number(Double(column)) }
        return .object(fields)
    }

    /// The full response body `{"error": {...}}`.
    public var body: JSONValue { .object(["error": detail]) }
}

extension APIError {
    /// 400: the body is not JSON.
    public static func malformedJSON(_ error: JSONParseError) -> APIError {
        APIError(status: 400, code: "malformed_json", message: "Body is not valid JSON: \(error)")
    }

    /// 422: a field has the wrong type or value.
    public static func invalidField(_ field: String, _ message: String) -> APIError {
        APIError(status: 422, code: "invalid_field", message: message, field: field)
    }

    /// 422: a required field is missing.
    public static func missingField(_ field: String, _ message: String? = nil) -> APIError {
        APIError(status: 422, code: "missing_field", message: message ?? "'\(field)' is required", field: field)
    }

    /// 413: the request or one element is too large.
    public static func tooLarge(_ message: String, field: String? = nil) -> APIError {
        APIError(status: 413, code: "payload_too_large", message: message, field: field)
    }

    /// 404: nothing with that id.
    public static func notFound(_ what: String) -> APIError {
        APIError(status: 404, code: "not_found", message: "\(what) not found")
    }
}
