extension ChannelDefinition {
    /// Parses and validates a channel:
    /// `{"type": "webhook"|"inapp", "url", "secret", "timeout": "5s", "maxAttempts": 6,
    ///   "caps": [{"count": 1, "per": "24h"}], "quietHours": {"start": "22:00", "end": "08:00"}, "ttl": "24h"}`
    public static func parse(_ json: JSONValue, id pathId: String? = nil) throws(APIError) -> ChannelDefinition {
        let (reader, id) = try DefinitionReader.open(json, kind: "channel", pathId: pathId)
        let fields = reader.fields
        guard let typeName = try reader.string("type") else { throw .missingField("type", "'type' is required: webhook or inapp") }
        guard let kind = Kind(rawValue: typeName) else {
            throw .invalidField("type", "unknown channel type '\(typeName)'; use webhook or inapp")
        }
        var channel = ChannelDefinition(id: id, kind: kind)
        channel.url = try reader.string("url")
        channel.secret = try reader.string("secret")
        if kind == .webhook {
            guard let url = channel.url else { throw .missingField("url", "a webhook channel needs a 'url'") }
            guard let host = WebhookTarget.host(of: url) else {
                throw .invalidField("url", "'url' must be an absolute http(s) URL")
            }
            _ = host
        }
        if let timeout = try reader.duration("timeout") {
            guard timeout <= 60_000 else { throw .invalidField("timeout", "'timeout' must be at most 60s") }
            channel.timeout = timeout
        }
        if let attempts = try reader.int("maxAttempts") {
            guard (1...20).contains(attempts) else { throw .invalidField("maxAttempts", "'maxAttempts' must be from 1 to 20") }
            channel.maxAttempts = attempts
        }
        if let ttl = try reader.duration("ttl") { channel.timeToLive = ttl }
        switch fields["caps"] {
        case nil, .null?: break
        case .array(let caps)?:
            for (index, cap) in caps.enumerated() {
                let capReader = DefinitionReader(fields: cap.objectValue ?? [:])
                // A malformed entry is reported at its position (`caps[1].per`), not as a bare field.
                guard let count = try? capReader.int("count"), count >= 0 else {
                    throw .invalidField("caps[\(index)].count", "a cap needs a 'count' ≥ 0")
                }
                guard let window = try? capReader.duration("per") else {
                    throw .invalidField("caps[\(index)].per", "a cap needs 'per', a duration such as 24h")
                }
                channel.caps.append(Cap(count: count, window: window))
            }
        case let other?: throw .invalidField("caps", "'caps' must be a list, not \(other.typeName)")
        }
        if let quiet = fields["quietHours"], quiet != .null {
            let quietReader = DefinitionReader(fields: quiet.objectValue ?? [:])
            guard let start = (try? quietReader.string("start"))?.flatMap(Self.minutes),
                let end = (try? quietReader.string("end"))?.flatMap(Self.minutes)
            else { throw .invalidField("quietHours", "'quietHours' needs 'start' and 'end' as HH:MM") }
            channel.quietHours = (start, end)
        }
        return channel
    }

    /// `HH:MM` → minutes after midnight.
    static func minutes(_ text: String) -> Int? {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let hours = Int(parts[0]), let minutes = Int(parts[1]), (0..<24).contains(hours),
            (0..<60).contains(minutes)
        else { return nil }
        return hours * 60 + minutes
    }

    /// The definition as served by the admin API (the secret is never echoed).
    public var json: JSONValue {
        var fields: [String: JSONValue] = [
            "id": .string(id), "type": .string(kind.rawValue), "timeout": .string(ExpressionDuration.format(timeout)),
            "maxAttempts": .number(Double(maxAttempts)), "ttl": .string(ExpressionDuration.format(timeToLive)),
            "caps": .array(caps.map { ["count": .number(Double($0.count)), "per": .string(ExpressionDuration.format($0.window))] }),
            "signed": .bool(secret != nil),
        ]
        if let url { fields["url"] = .string(url) }
        if let quietHours {
            func clock(_ minutes: Int) -> String {
                let hours = minutes / 60
                let rest = minutes % 60
                return (hours < 10 ? "0" : "") + "\(hours):" + (rest < 10 ? "0" : "") + "\(rest)"
            }
            fields["quietHours"] = ["start": .string(clock(quietHours.start)), "end": .string(clock(quietHours.end))]
        }
        return .object(fields)
    }

    /// What is stored: the public JSON plus the secret.
    public var storedJSON: JSONValue {
        guard case .object(var fields) = json else { return json }
        fields.removeValue(forKey: "signed")
        if let secret { fields["secret"] = .string(secret) }
        return .object(fields)
    }
}

/// Parsing of webhook URLs.
public enum WebhookTarget {
    /// The lower-cased host of an absolute http(s) URL.
    public static func host(of url: String) -> String? {
        let lower = url.lowercased()
        let rest: Substring
        if lower.hasPrefix("https://") {
            rest = lower.dropFirst(8)
        } else if lower.hasPrefix("http://") {
            rest = lower.dropFirst(7)
        } else {
            return nil
        }
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let hostPort = authority.split(separator: "@").last ?? authority
        let host: Substring
        if hostPort.hasPrefix("[") {
            host = hostPort.prefix { $0 != "]" }.dropFirst()
        } else {
            host = hostPort.split(separator: ":").first ?? hostPort
        }
        return host.isEmpty ? nil : String(host)
    }
}
