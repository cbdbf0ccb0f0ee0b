extension ExpressionValue: CustomStringConvertible {
    /// A readable rendering, as a literal would be written: strings quoted, durations as `30m`,
    /// timestamps as `timestamp("...")`, lists and maps as JSON.
    public var description: String {
        switch self {
        case .string(let text): JSONWriter.string(.string(text))
        case .timestamp: "timestamp(\(JSONWriter.string(.string(text))))"
        case .list, .json: JSONWriter.string(jsonValue)
        default: text
        }
    }

    /// What `string(x)` gives: text as is, `12` or `3.5` for numbers, `30m` for durations,
    /// ISO 8601 for timestamps, compact JSON for lists and maps.
    var text: String {
        switch self {
        case .null: "null"
        case .bool(let flag): flag ? "true" : "false"
        case .number(let number): Self.format(number: number)
        case .string(let text): text
        case .duration(let millis): ExpressionDuration.format(millis)
        case .timestamp(let millis): Self.format(timestamp: millis)
        case .list: JSONWriter.string(jsonValue)
        case .json(let json): json.isContainer ? JSONWriter.string(json) : ExpressionValue(json).text
        }
    }

    /// The value as JSON: durations as milliseconds, timestamps as ISO 8601 strings.
    public var jsonValue: JSONValue {
        switch self {
        case .null: .null
        case .bool(let flag): .bool(flag)
        case .number(let number): .number(number)
        case .string(let text): .string(text)
        case .duration(let millis): .number(Double(millis))
        case .timestamp(let millis): .string(Self.format(timestamp: millis))
        case .list(let items): .array(items.map(\.jsonValue))
        case .json(let json): json
        }
    }

    /// `12` for whole numbers, `3.5` otherwise (as JSON numbers are written).
    static func format(number: Double) -> String {
        var bytes: [UInt8] = []
        JSONWriter.writeNumber(number, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// ISO 8601 for years 1 to 9999, else the milliseconds as a number.
    static func format(timestamp millis: Millis) -> String {
        guard millis >= -62_135_596_800_000, millis <= 253_402_300_799_999 else { return String(millis) }
        return Timestamp.format(millis)
    }
}
