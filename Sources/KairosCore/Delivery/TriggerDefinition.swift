/// "When an event matches `when` (and `condition` holds), optionally wait `wait` unless an event
/// matching `unless` arrives, then send `message` on `channel`."
///
/// ```json
/// {"when": "event.name == \"Product Added\"", "wait": "40m", "unless": "event.name == \"Order Completed\"",
///  "channel": "push", "message": {"title": "Still thinking, {{profile.traits.name}}?", "body": "..."}}
/// ```
public struct TriggerDefinition: Sendable, Equatable {
    public var id: String
    /// Which events start the trigger (a condition over the event).
    public var when: String
    /// Checked at the starting event, over the updated profile.
    public var condition: String?
    /// Delay before acting.
    public var wait: Millis?
    /// An event of the same person matching this, after the start and before the end of the wait, cancels it.
    public var unless: String?
    /// Channel id.
    public var channel: String
    /// Message fields; strings may hold `{{expression}}` placeholders.
    public var message: [String: JSONValue]
    /// An action placement to decide at when the trigger fires: its winner's payload on `channel`
    /// is the message (with `offerId` and `decisionId` added); "no action" sends nothing.
    public var placement: String?
    public var description: String?

    public init(
        id: String, when: String, condition: String? = nil, wait: Millis? = nil, unless: String? = nil,
        channel: String, message: [String: JSONValue], placement: String? = nil, description: String? = nil
    ) {
        self.placement = placement
        self.id = id
        self.when = when
        self.condition = condition
        self.wait = wait
        self.unless = unless
        self.channel = channel
        self.message = message
        self.description = description
    }

    /// Parses and checks the shape of a trigger (expressions and the channel are checked by ``TriggerSet``).
    public static func parse(_ json: JSONValue, id pathId: String? = nil) throws(APIError) -> TriggerDefinition {
        let (reader, id) = try DefinitionReader.open(json, kind: "trigger", pathId: pathId)
        let fields = reader.fields
        guard let when = try reader.string("when") else { throw .missingField("when", "'when' (which events start it) is required") }
        guard let channel = try reader.string("channel") else { throw .missingField("channel") }
        let placement = try reader.string("placement")
        var message: [String: JSONValue] = [:]
        switch fields["message"] {
        case .object(let object)?: message = object
        case nil where placement != nil: break
        case .null? where placement != nil: break
        default:
            throw .missingField(
                "message", "'message' must be an object such as {\"title\": \"...\", \"body\": \"...\"} (or give a 'placement' to decide at)")
        }
        let definition = TriggerDefinition(
            id: id, when: when, condition: try reader.string("condition"), wait: try reader.duration("wait"),
            unless: try reader.string("unless"), channel: channel, message: message, placement: placement,
            description: try reader.string("description"))
        if definition.unless != nil && definition.wait == nil {
            throw .invalidField("unless", "'unless' needs a 'wait' to happen during")
        }
        return definition
    }

    public var json: JSONValue {
        var fields: [String: JSONValue] = [
            "id": .string(id), "when": .string(when), "channel": .string(channel), "message": .object(message),
        ]
        if let condition { fields["condition"] = .string(condition) }
        if let wait { fields["wait"] = .string(ExpressionDuration.format(wait)) }
        if let unless { fields["unless"] = .string(unless) }
        if let placement { fields["placement"] = .string(placement) }
        if let description { fields["description"] = .string(description) }
        return .object(fields)
    }
}
