@testable import KairosCore

/// Generates random well-typed expressions and random evaluation contexts for the fuzz tests.
struct ExpressionRandomGenerator {
    var rng: SeededGenerator

    static let propertyKeys = ["price", "quantity", "flag", "tags", "label", "when", "x", "missing", "odd key"]

    init(seed: UInt64) {
        rng = SeededGenerator(seed: seed)
    }

    mutating func pick<T>(_ items: [T]) -> T {
        items[Int.random(in: 0..<items.count, using: &rng)]
    }

    mutating func chance(_ probability: Double) -> Bool {
        Double.random(in: 0..<1, using: &rng) < probability
    }

    private mutating func property() -> String {
        let key = pick(Self.propertyKeys)
        return key.contains(" ") ? "event.properties['\(key)']" : "event.properties.\(key)"
    }

    /// A random expression whose static type is `type` (or `dyn`, which fits anywhere).
    mutating func expression(_ type: ExpressionType, depth: Int) -> String {
        if depth <= 0 || chance(0.25) { return leaf(type) }
        let d = depth - 1
        switch type {
        case .bool:
            switch Int.random(in: 0..<12, using: &rng) {
            case 0: return "(\(expression(.bool, depth: d)) && \(expression(.bool, depth: d)))"
            case 1: return "(\(expression(.bool, depth: d)) || \(expression(.bool, depth: d)))"
            case 2: return "!(\(expression(.bool, depth: d)))"
            case 3: return "(\(expression(.number, depth: d)) \(pick(["<", "<=", ">", ">=", "==", "!="])) \(expression(.number, depth: d)))"
            case 4: return "(\(expression(.string, depth: d)) \(pick(["<", "==", "!=", ">="])) \(expression(.string, depth: d)))"
            case 5: return "(\(expression(.duration, depth: d)) \(pick(["<", ">", "=="])) \(expression(.duration, depth: d)))"
            case 6: return "(\(expression(.timestamp, depth: d)) \(pick(["<=", ">", "!="])) \(expression(.timestamp, depth: d)))"
            case 7: return "(\(expression(pick([.number, .string, .dyn]), depth: d)) in \(expression(.list, depth: d)))"
            case 8: return "(\(expression(.bool, depth: d)) ? \(expression(.bool, depth: d)) : \(expression(.bool, depth: d)))"
            case 9: return "\(expression(.string, depth: d)).\(pick(["startsWith", "endsWith", "contains"]))(\(expression(.string, depth: d)))"
            case 10: return "(\(expression(.dyn, depth: d)) == \(expression(.dyn, depth: d)))"
            default: return "(\(expression(.string, depth: d)) in \(pick(["event.properties", "profile.traits", "'abc'"])))"
            }
        case .number:
            switch Int.random(in: 0..<9, using: &rng) {
            case 0: return "(\(expression(.number, depth: d)) \(pick(["+", "-", "*", "/", "%"])) \(expression(.number, depth: d)))"
            case 1: return "-\(expression(.number, depth: d))"
            case 2: return "size(\(expression(pick([.string, .list]), depth: d)))"
            case 3: return "\(pick(["int", "double", "abs"]))(\(expression(.number, depth: d)))"
            case 4: return "\(pick(["min", "max"]))(\(expression(.number, depth: d)), \(expression(.number, depth: d)))"
            case 5: return "(\(expression(.bool, depth: d)) ? \(expression(.number, depth: d)) : \(expression(.number, depth: d)))"
            case 6: return "(\(expression(.duration, depth: d)) / \(expression(.duration, depth: d)))"
            case 7: return "double(\(expression(.string, depth: d)))"
            default: return "int(\(expression(.duration, depth: d)))"
            }
        case .string:
            switch Int.random(in: 0..<5, using: &rng) {
            case 0: return "(\(expression(.string, depth: d)) + \(expression(.string, depth: d)))"
            case 1: return "\(pick(["lower", "upper"]))(\(expression(.string, depth: d)))"
            case 2: return "string(\(expression(pick([.number, .duration, .timestamp, .list, .dyn]), depth: d)))"
            case 3: return "(\(expression(.bool, depth: d)) ? \(expression(.string, depth: d)) : \(expression(.string, depth: d)))"
            default: return "\(expression(.string, depth: d)).lower()"
            }
        case .duration:
            switch Int.random(in: 0..<5, using: &rng) {
            case 0: return "(\(expression(.timestamp, depth: d)) - \(expression(.timestamp, depth: d)))"
            case 1: return "(\(expression(.duration, depth: d)) \(pick(["+", "-"])) \(expression(.duration, depth: d)))"
            case 2: return "(\(expression(.duration, depth: d)) \(pick(["*", "/"])) \(expression(.number, depth: d)))"
            case 3: return "abs(\(expression(.duration, depth: d)))"
            default: return "-\(expression(.duration, depth: d))"
            }
        case .timestamp:
            switch Int.random(in: 0..<3, using: &rng) {
            case 0: return "(\(expression(.timestamp, depth: d)) \(pick(["+", "-"])) \(expression(.duration, depth: d)))"
            case 1: return "\(pick(["min", "max"]))(\(expression(.timestamp, depth: d)), \(expression(.timestamp, depth: d)))"
            default: return "timestamp(\(expression(.number, depth: d)))"
            }
        case .list:
            switch Int.random(in: 0..<3, using: &rng) {
            case 0: return "[\(expression(.number, depth: d)), \(expression(.string, depth: d)), \(expression(.dyn, depth: d))]"
            case 1: return "(\(expression(.list, depth: d)) + \(expression(.list, depth: d)))"
            default: return "[]"
            }
        default:
            switch Int.random(in: 0..<5, using: &rng) {
            case 0: return "event.properties.tags[\(pick(["features.views_5m", "0", "1", "event.properties.quantity"]))]"
            case 1: return "event.properties[\(expression(.string, depth: d))]"
            case 2: return "(\(expression(.dyn, depth: d)) + \(expression(.dyn, depth: d)))"
            case 3: return "(\(expression(.dyn, depth: d)) \(pick(["-", "*", "/", "%"])) \(expression(.number, depth: d)))"
            default: return "(\(expression(.bool, depth: d)) ? \(expression(.dyn, depth: d)) : \(expression(.number, depth: d)))"
            }
        }
    }

    private mutating func leaf(_ type: ExpressionType) -> String {
        if chance(0.15) { return property() }
        switch type {
        case .bool:
            return pick(["true", "false", "has(\(property()))", "'shoppers' in segments", "features.active",
                         "event.properties.flag", "has(features.views_5m)", "profile.traits.vip"])
        case .number:
            return pick(["0", "1", "2.5", "-3", "1e300", "features.views_5m", "profile.eventCounts['Order Completed']",
                         "profile.eventTotal", "size(segments)", "event.properties.price"])
        case .string:
            return pick(["'a'", "''", "'Product Viewed'", "event.name", "event.type", "profile.traits.tier",
                         "features.last_category", "'é😀'", "'2026-11-22T10:00:00Z'", "event.userId"])
        case .duration:
            return pick(["30m", "0s", "1ms", "2w", "features.since", "duration('1h30m')", "-5m", "9223372036854775807ms"])
        case .timestamp:
            return pick(["now", "event.timestamp", "profile.firstSeen", "profile.lastSeen", "features.last_order",
                         "timestamp('2026-11-22T10:00:00Z')"])
        case .list:
            return pick(["segments", "features.recent", "[1, 'a']", "event.properties.tags", "['gold', 'silver']"])
        default:
            return pick(["features.anything", "profile.traits.age", "event.properties.x", "features.summary.a",
                         "context.device.type", "null"])
        }
    }

    // MARK: - Random data

    mutating func json(depth: Int) -> JSONValue {
        switch Int.random(in: 0..<(depth > 0 ? 7 : 5), using: &rng) {
        case 0: return .null
        case 1: return .bool(chance(0.5))
        case 2: return .number(pick([0, -1, 1.5, 2, 100, 1e300, -1e300, .infinity, -.infinity, .nan, 9.3e18, -0.0]))
        case 3, 4:
            return .string(pick(["", "a", "p-42", "2026-11-22T10:00:00Z", "1h", "Product Viewed", "é😀", "2026-13-45",
                                 "gold", "shoppers", "42", "-1e5"]))
        case 5: return .array((0..<Int.random(in: 0..<4, using: &rng)).map { _ in json(depth: depth - 1) })
        default:
            var fields: [String: JSONValue] = [:]
            for _ in 0..<Int.random(in: 0..<5, using: &rng) { fields[pick(Self.propertyKeys)] = json(depth: depth - 1) }
            return .object(fields)
        }
    }

    mutating func value() -> ExpressionValue {
        switch Int.random(in: 0..<8, using: &rng) {
        case 0: return .null
        case 1: return .bool(chance(0.5))
        case 2: return .number(pick([0, 3, -7.5, .nan, .infinity, 1e19]))
        case 3: return .string(pick(["", "x", "2026-11-22T10:00:00Z"]))
        case 4: return .duration(pick([0, 90_000, .max, .min, -1]))
        case 5: return .timestamp(pick([0, ExpressionFixtures.now, .max, .min]))
        case 6: return .list([value(), .json(json(depth: 1))])
        default: return .json(json(depth: 2))
        }
    }

    mutating func millis() -> Millis {
        pick([ExpressionFixtures.now, ExpressionFixtures.eventTime, 0, -1, .max, .min, .max - 1, 253_402_300_800_000])
    }

    mutating func context() -> EvaluationContext {
        var event: [String: JSONValue] = [:]
        if chance(0.8) { event["type"] = pick(["track", "page", "screen", "identify"]) }
        if chance(0.6) { event["event"] = json(depth: 0) }
        if chance(0.4) { event["name"] = json(depth: 0) }
        if chance(0.7) { event["timestamp"] = pick([json(depth: 0), "2026-11-22T10:00:00.000Z"]) }
        if chance(0.8) { event["properties"] = chance(0.9) ? ExpressionFixtures.trackEvent["properties"] : json(depth: 3) }
        if chance(0.5) { event["context"] = json(depth: 3) }
        var features: [String: ExpressionValue] = [:]
        for name in ExpressionFixtures.environment.features.keys where chance(0.7) {
            features[name] = chance(0.5) ? ExpressionFixtures.features[name] : value()
        }
        return EvaluationContext(
            event: chance(0.9) ? .object(event) : json(depth: 2),
            eventTimestamp: chance(0.5) ? millis() : nil,
            profile: chance(0.8) ? ExpressionFixtures.profile : json(depth: 3),
            features: features,
            segments: (0..<Int.random(in: 0..<4, using: &rng)).map { _ in pick(["shoppers", "mobile", "vip", ""]) },
            now: millis())
    }
}
