import Foundation
import KairosCore
import Yams

/// Definitions given in a YAML file at start (`--definitions FILE`): `features`, `segments`,
/// `channels`, `triggers`, `placements`, `offers`, `levers` and `campaigns`, each a list of the objects the admin API takes (with their `id`):
///
/// ```yaml
/// segments:
///   - id: browsers
///     condition: features.views_5m >= 3
/// features:
///   - id: views_5m
///     type: count
///     filter: event.name == "Product Viewed"
///     window: 5m
/// ```
public struct DefinitionsFile: Sendable {
    public var features: [FeatureDefinition] = []
    public var segments: [SegmentDefinition] = []
    public var channels: [ChannelDefinition] = []
    public var triggers: [TriggerDefinition] = []
    public var placements: [PlacementDefinition] = []
    public var offers: [OfferDefinition] = []
    public var levers: [LeverDefinition] = []
    public var campaigns: [CampaignDefinition] = []

    /// Reads and validates the file; errors name the section, the index and the field.
    public static func load(path: String) throws -> DefinitionsFile {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let root: JSONValue
        do {
            root = try json(from: Yams.load(yaml: text) ?? [String: Any]())
        } catch let error as YamlError {
            throw APIError(status: 422, code: "invalid_yaml", message: "\(path): \(error)")
        }
        guard case .object(let sections) = root else {
            throw APIError(status: 422, code: "invalid_yaml", message: "\(path): expected a mapping with 'features'")
        }
        let known: Set<String> = ["features", "segments", "channels", "triggers", "placements", "offers", "levers", "campaigns"]
        if let unknown = sections.keys.sorted().first(where: { !known.contains($0) }) {
            throw APIError.invalidField(unknown, "\(path): unknown section '\(unknown)' (expected \(known.sorted().joined(separator: ", ")))")
        }
        var file = DefinitionsFile()
        // Only the shape is checked here: expressions, references and channels are compiled with the
        // stored definitions they may refer to, when the registry loads them.
        file.features = try section("features", of: sections, path: path, id: \.id) { json throws(APIError) in try FeatureDefinition.parse(json) }
        file.segments = try section("segments", of: sections, path: path, id: \.id) { json throws(APIError) in try SegmentDefinition.parse(json) }
        file.channels = try section("channels", of: sections, path: path, id: \.id) { json throws(APIError) in try ChannelDefinition.parse(json) }
        file.triggers = try section("triggers", of: sections, path: path, id: \.id) { json throws(APIError) in try TriggerDefinition.parse(json) }
        file.placements = try section("placements", of: sections, path: path, id: \.id) { json throws(APIError) in
            try PlacementDefinition.parse(json)
        }
        file.offers = try section("offers", of: sections, path: path, id: \.id) { json throws(APIError) in try OfferDefinition.parse(json) }
        file.levers = try section("levers", of: sections, path: path, id: \.id) { json throws(APIError) in try LeverDefinition.parse(json) }
        file.campaigns = try section("campaigns", of: sections, path: path, id: \.id) { json throws(APIError) in
            try CampaignDefinition.parse(json)
        }
        return file
    }

    /// The definitions of one section (a list; empty or absent is none), each parsed by `parse`;
    /// an error names the entry, and an id given twice is refused.
    private static func section<Definition>(
        _ name: String, of sections: [String: JSONValue], path: String, id: KeyPath<Definition, String>,
        parse: (JSONValue) throws(APIError) -> Definition
    ) throws(APIError) -> [Definition] {
        guard let value = sections[name], value != .null else { return [] }
        guard case .array(let entries) = value else {
            throw APIError.invalidField(name, "\(path): '\(name)' must be a list")
        }
        var result: [Definition] = []
        for (index, entry) in entries.enumerated() {
            do throws(APIError) {
                let definition = try parse(entry)
                if result.contains(where: { $0[keyPath: id] == definition[keyPath: id] }) {
                    throw APIError(
                        status: 422, code: "duplicate_id", message: "'\(definition[keyPath: id])' is defined twice", field: "id")
                }
                result.append(definition)
            } catch {
                var located = error.at(index: index)
                located.message = "\(path), \(name)[\(index)]: \(error.message)"
                throw located
            }
        }
        return result
    }

    static func json(from value: Any) throws -> JSONValue {
        switch value {
        case is NSNull: return .null
        case let flag as Bool: return .bool(flag)
        case let number as Int: return .number(Double(number))
        case let number as Double: return .number(number)
        case let text as String: return .string(text)
        case let list as [Any]: return .array(try list.map(json(from:)))
        case let map as [String: Any]: return .object(try map.mapValues(json(from:)))
        case let map as [AnyHashable: Any]:
            return .object(Dictionary(uniqueKeysWithValues: try map.map { ("\($0.key)", try json(from: $0.value)) }))
        default: return .string("\(value)")
        }
    }
}
