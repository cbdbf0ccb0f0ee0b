/// Names, field selection, indexing and their static types.
extension ExpressionChecker {
    static let roots = "event, context, profile, item, features, segments or now"

    mutating func identifier(_ name: String, _ syntax: ExpressionSyntax) throws(ExpressionError) -> Checked {
        switch name {
        case "event": return resolved(Path(root: .event, keys: []))
        case "context": return resolved(Path(root: .event, keys: [.key("context")]))
        case "profile": return resolved(Path(root: .profile, keys: []))
        case "item":
            readsItem = true
            return resolved(Path(root: .item, keys: []))
        case "offer" where environment.offers:
            readsItem = true
            return resolved(Path(root: .item, keys: []))
        case "propensity", "value", "lever":
            guard environment.offers else { break }
            // (A `where` after a list of patterns would guard only the last one.)
            if name != "lever" && !environment.priority {
                throw ExpressionError(
                    "'\(name)' is known only in a placement's priority formula; an offer's rules run before it is (use offer.value for a constant value)",
                    at: syntax.location)
            }
            readsItem = true
            return Checked(node: Self.node(for: Path(root: .item, keys: [.key(name)])), type: .number)
        case "now": return Checked(node: .now, type: .timestamp)
        case "segments":
            noteSegments()
            return Checked(node: .segments, type: .list)
        case "features":
            throw ExpressionError("'features' needs a feature name, as in features.views_5m", at: syntax.location)
        default:
            break
        }
        if let function = ExpressionFunction(rawValue: name) {
            throw ExpressionError("'\(name)' is a function; call it as \(function.usage)", at: syntax.location)
        }
        let roots = environment.offers ? "offer, propensity, value, lever, " + Self.roots : Self.roots
        throw ExpressionError("unknown name '\(name)'; an expression starts from \(roots)", at: syntax.location)
    }

    mutating func member(_ base: ExpressionSyntax, _ name: String, _ syntax: ExpressionSyntax)
        throws(ExpressionError) -> Checked
    {
        if case .identifier("features") = base.kind { return try feature(name, at: syntax.location) }
        let container = try check(base)
        return try select(container, .key(name), at: syntax.location)
    }

    mutating func index(_ base: ExpressionSyntax, _ index: ExpressionSyntax, _ syntax: ExpressionSyntax)
        throws(ExpressionError) -> Checked
    {
        if case .identifier("features") = base.kind {
            guard case .literal(.string(let name)) = index.kind else {
                throw ExpressionError(
                    "a feature is named by a string literal, as in features[\"views_5m\"]", at: index.start)
            }
            return try feature(name, at: index.location)
        }
        let container = try check(base)
        let key = try check(index)
        switch key.node.constantValue {
        case .string(let name)?:
            return try select(container, .key(name), at: syntax.location)
        case .number(let number)?:
            guard number >= 0, number < 1e9, let position = Int(exactly: number) else {
                throw ExpressionError("a list index must be a whole number, 0 or more", at: index.start)
            }
            return try select(container, .index(position), at: syntax.location)
        default:
            break
        }
        let fits: Bool
        switch container.type {
        case .list: fits = key.type.admits(.number)
        case .map: fits = key.type.admits(.string)
        case .dyn: fits = key.type.admits(.number) || key.type.admits(.string)
        default: throw ExpressionError("cannot index \(container.type.phrase)", at: syntax.location)
        }
        guard fits || key.type == .null else {
            throw ExpressionError("\(container.type.phrase) cannot be indexed by \(key.type.phrase)", at: index.start)
        }
        let isCount = container.path == Path(root: .profile, keys: [.key("eventCounts")])
        let node = folded(.index(container.node, key.node), children: [container.node, key.node])
        return Checked(node: node, type: isCount ? .number : .dyn)
    }

    /// `features.name`: the declared feature, recorded as a dependency.
    private mutating func feature(_ name: String, at location: ExpressionLocation) throws(ExpressionError) -> Checked {
        guard let type = environment.features[name] else {
            throw ExpressionError("unknown feature '\(name)'", at: location)
        }
        noteFeature(name)
        return Checked(node: .feature(name), type: type)
    }

    /// One more field or index step after `base`.
    private func select(_ base: Checked, _ key: ExpressionPathKey, at location: ExpressionLocation)
        throws(ExpressionError) -> Checked
    {
        switch (base.type, key) {
        case (.map, .key), (.list, .index), (.dyn, _):
            break
        case (.map, .index):
            throw ExpressionError("a map is indexed by string keys, not numbers", at: location)
        case (_, .key(let name)):
            throw ExpressionError("cannot read field '\(name)' of \(base.type.phrase)", at: location)
        case (_, .index):
            throw ExpressionError("cannot index \(base.type.phrase)", at: location)
        }
        if let path = base.path { return resolved(Path(root: path.root, keys: path.keys + [key])) }
        let node: ExpressionNode
        let inner: ExpressionNode
        if case .select(let selected, let keys) = base.node {
            node = .select(selected, keys + [key])
            inner = selected
        } else {
            node = .select(base.node, [key])
            inner = base.node
        }
        return Checked(node: folded(node, children: [inner]), type: .dyn)
    }

    private func resolved(_ path: Path) -> Checked {
        Checked(node: Self.node(for: path), type: Self.type(of: path), path: path)
    }

    /// The evaluation node for a path, using the dedicated nodes for the special fields.
    static func node(for path: Path) -> ExpressionNode {
        if path.keys.count == 1, case .key(let name) = path.keys[0] {
            switch (path.root, name) {
            case (.event, "name"): return .eventName
            case (.event, "timestamp"): return .eventTimestamp
            case (.profile, "firstSeen"), (.profile, "lastSeen"): return .profileTimestamp(name)
            default: break
            }
        }
        switch path.root {
        case .event: return .eventPath(path.keys)
        case .profile: return .profilePath(path.keys)
        case .item: return .itemPath(path.keys)
        }
    }

    /// The static type of a path: known fields have known types, the rest is `dyn`.
    static func type(of path: Path) -> ExpressionType {
        guard let first = path.keys.first else { return .map }
        guard case .key(let name) = first else { return .dyn }
        switch (path.root, path.keys.count) {
        case (.event, 1):
            switch name {
            case "name", "type", "userId", "anonymousId": return .string
            case "timestamp": return .timestamp
            case "properties", "context", "traits": return .map
            default: return .dyn
            }
        case (.profile, 1):
            switch name {
            case "userId": return .string
            case "firstSeen", "lastSeen": return .timestamp
            case "traits", "eventCounts": return .map
            case "eventTotal": return .number
            default: return .dyn
            }
        case (.item, 1):
            switch name {
            case "id", "title", "currency": return .string
            case "price": return .number
            case "available": return .bool
            case "category", "tags": return .list
            case "attributes": return .map
            default: return .dyn
            }
        case (.profile, 2):
            if name == "eventCounts", case .key = path.keys[1] { return .number }
            return .dyn
        default:
            return .dyn
        }
    }
}
