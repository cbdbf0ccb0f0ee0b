import Foundation
import KairosCore
import Yams

/// Definitions given in a YAML file at start (`--definitions FILE`):
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
        var file = DefinitionsFile()
        if let features = sections["features"] {
            guard case .array(let entries) = features else {
                throw APIError.invalidField("features", "\(path): 'features' must be a list")
            }
            for (index, entry) in entries.enumerated() {
                do {
                    file.features.append(try FeatureDefinition.parse(entry))
                } catch {
                    var located = error.at(index: index)
                    located.message = "\(path), features[\(index)]: \(error.message)"
                    throw located
                }
            }
        }
        if let segments = sections["segments"] {
            guard case .array(let entries) = segments else {
                throw APIError.invalidField("segments", "\(path): 'segments' must be a list")
            }
            for (index, entry) in entries.enumerated() {
                do {
                    file.segments.append(try SegmentDefinition.parse(entry))
                } catch {
                    var located = error.at(index: index)
                    located.message = "\(path), segments[\(index)]: \(error.message)"
                    throw located
                }
            }
        }
        let features = try FeatureSet.compile(file.features)
        _ = try SegmentSet.compile(file.segments, features: features)
        return file
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
