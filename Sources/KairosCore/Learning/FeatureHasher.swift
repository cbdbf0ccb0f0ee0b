import Foundation

/// Turns what is known at a decision into hashed model features: the person's traits, real-time
/// features, segments and the request context (shared by every action), the action's own
/// attributes (id, issue, group, attributes), and the crosses of each shared feature with the
/// action and with its group — so an action learns from its own outcomes and, through its group,
/// from its neighbours'.
public enum FeatureHasher {
    /// One named feature with its hash and value (1 for categories; a log-scaled number otherwise).
    public struct Token: Sendable, Equatable {
        public var name: String
        public var hash: UInt64
        public var value: Float

        public init(name: String, value: Float = 1) {
            self.name = name
            self.hash = ProfileBook.stableHash(name)
            self.value = value
        }
    }

    /// Trait keys never used as features (direct identifiers carry no signal, only noise).
    static let skippedTraits: Set<String> = [
        "email", "name", "first_name", "last_name", "firstName", "lastName", "phone", "address", "id", "userId", "username",
    ]
    static let maximumTextLength = 40

    /// Combines two hashes (a cross feature).
    @inlinable
    public static func cross(_ left: UInt64, _ right: UInt64) -> UInt64 {
        var z = left &+ 0x9e37_79b9_7f4a_7c15 &* (right | 1)
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// The action's own features: `action:<id>` first, `group:<issue/group>` second, then the issue
    /// and the attributes.
    public static func tokens(of offer: OfferDefinition) -> [Token] {
        var tokens = [
            Token(name: "action:\(offer.id)"), Token(name: "group:\(offer.taxonomy)"), Token(name: "issue:\(offer.issue)"),
        ]
        for key in offer.attributes.keys.sorted() {
            Self.append("attribute:\(key)", offer.attributes[key]!, to: &tokens)
        }
        return tokens
    }

    /// The shared features of a decision: traits, features, segments and the request context.
    public static func context(_ context: EvaluationContext, request: [String: JSONValue]) -> [Token] {
        var tokens: [Token] = [Token(name: "bias")]
        tokens.reserveCapacity(32)
        if case .object(let traits)? = context.profile?["traits"] {
            for key in traits.keys.sorted() where !skippedTraits.contains(key) {
                Self.append("trait:\(key)", traits[key]!, to: &tokens)
            }
        }
        for name in context.features.keys.sorted() {
            switch context.features[name]! {
            case .number(let number): tokens.append(Token(name: "feature:\(name)", value: scaled(number)))
            case .bool(let flag): tokens.append(Token(name: "feature:\(name)=\(flag)"))
            case .string(let text) where text.utf8.count <= maximumTextLength:
                tokens.append(Token(name: "feature:\(name)=\(text)"))
            default: break
            }
        }
        for segment in context.segments.sorted() { tokens.append(Token(name: "segment:\(segment)")) }
        for key in request.keys.sorted() { Self.append("context:\(key)", request[key]!, to: &tokens) }
        return tokens
    }

    /// Tokens of one JSON value under `prefix`: categories for strings and booleans, a scaled
    /// number for numbers, one category per string element of a short list.
    /// Appended to `tokens`, without a list of their own.
    static func append(_ prefix: String, _ value: JSONValue, to tokens: inout [Token]) {
        switch value {
        case .number(let number) where number.isFinite: tokens.append(Token(name: prefix, value: scaled(number)))
        case .bool(let flag): tokens.append(Token(name: "\(prefix)=\(flag)"))
        case .string(let text) where !text.isEmpty && text.utf8.count <= maximumTextLength:
            tokens.append(Token(name: "\(prefix)=\(text)"))
        case .array(let elements) where elements.count <= 16:
            for case .string(let text) in elements where text.utf8.count <= maximumTextLength {
                tokens.append(Token(name: "\(prefix)=\(text)"))
            }
        default: break
        }
    }

    /// sign(x) · ln(1 + |x|): large amounts do not swamp the rest.
    @inlinable
    public static func scaled(_ number: Double) -> Float {
        Float(number < 0 ? -log1p(-number) : log1p(number))
    }

    /// Visits the features of one action in one decision, in order: the shared tokens, the
    /// action's tokens, and each shared token crossed with the action (`action[0]`) and with its
    /// group (`action[1]`). Allocates nothing.
    @inlinable
    public static func forEachFeature(
        shared: [Token], action: [Token], bits: Int, _ body: (_ index: UInt32, _ value: Float) -> Void
    ) {
        forEachSharedFeature(shared: shared, bits: bits, body)
        forEachActionFeature(shared: shared, action: action, bits: bits, body)
    }

    /// The features of ``forEachFeature(shared:action:bits:_:)`` that every action of a decision
    /// has alike: the shared ones, first.
    @inline(__always)
    public static func forEachSharedFeature(shared: [Token], bits: Int, _ body: (_ index: UInt32, _ value: Float) -> Void) {
        let mask = UInt64((1 << bits) - 1)
        for token in shared { body(UInt32(token.hash & mask), token.value) }
    }

    /// The features of ``forEachFeature(shared:action:bits:_:)`` after the shared ones: the
    /// action's own and the crosses (what differs between the actions of one decision).
    @inline(__always)
    public static func forEachActionFeature(
        shared: [Token], action: [Token], bits: Int, _ body: (_ index: UInt32, _ value: Float) -> Void
    ) {
        let mask = UInt64((1 << bits) - 1)
        for token in action { body(UInt32(token.hash & mask), token.value) }
        guard action.count >= 2 else { return }
        let id = action[0].hash
        let group = action[1].hash
        for token in shared {
            body(UInt32(cross(token.hash, id) & mask), token.value)
            body(UInt32(cross(token.hash, group) & mask), token.value)
        }
    }

    /// The features of ``forEachFeature(shared:action:bits:_:)`` as a vector (for an update).
    public static func vector(shared: [Token], action: [Token], bits: Int) -> FeatureVector {
        var vector = FeatureVector(capacity: shared.count * 3 + action.count)
        forEachFeature(shared: shared, action: action, bits: bits) { vector.append($0, $1) }
        return vector
    }

    /// Human-readable name of the features of ``vector(shared:action:bits:)``, in the same order.
    public static func names(shared: [Token], action: [Token]) -> [String] {
        var names = shared.map(\.name) + action.map(\.name)
        if action.count >= 2 {
            for token in shared {
                names.append("\(token.name) × \(action[0].name)")
                names.append("\(token.name) × \(action[1].name)")
            }
        }
        return names
    }
}

/// A sparse feature vector: hashed indices and their values.
public struct FeatureVector: Sendable, Equatable {
    public private(set) var indices: [UInt32]
    public private(set) var values: [Float]

    public init(capacity: Int = 0) {
        indices = []
        values = []
        indices.reserveCapacity(capacity)
        values.reserveCapacity(capacity)
    }

    public mutating func append(_ index: UInt32, _ value: Float) {
        indices.append(index)
        values.append(value)
    }

    public var count: Int { indices.count }
}
