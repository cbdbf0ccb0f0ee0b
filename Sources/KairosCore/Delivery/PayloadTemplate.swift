/// A message payload whose string fields may hold `{{expression}}` placeholders: compiled once,
/// rendered per person. Used by trigger messages and by offers' channel payloads.
public struct PayloadTemplate: Sendable {
    /// (field, template when the field is a string, raw value), in field order.
    let fields: [(String, MessageTemplate?, JSONValue)]

    /// Compiles every string field of `fields`; an error is a 422 on `"\(prefix).\(key)"` in `owner`.
    public init(_ fields: [String: JSONValue], environment: ExpressionEnvironment, prefix: String, owner: String) throws(APIError) {
        var compiled: [(String, MessageTemplate?, JSONValue)] = []
        for key in fields.keys.sorted() {
            let raw = fields[key]!
            guard case .string(let text) = raw else {
                compiled.append((key, nil, raw))
                continue
            }
            do {
                compiled.append((key, try MessageTemplate(text, environment: environment), raw))
            } catch {
                throw APIError.expression(error, field: "\(prefix).\(key)", in: owner)
            }
        }
        self.fields = compiled
    }

    /// The payload rendered for `context`.
    public func render(_ context: EvaluationContext) -> JSONValue {
        var rendered: [String: JSONValue] = [:]
        for (key, template, raw) in fields { rendered[key] = template.map { .string($0.render(context)) } ?? raw }
        return .object(rendered)
    }
}
