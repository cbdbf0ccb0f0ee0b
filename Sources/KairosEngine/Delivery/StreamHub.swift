import KairosCore
import Synchronization

/// The live in-app connections, by person: the profile key of the ids a message is addressed to
/// (`u:<userId>`, or `a:<anonymousId>` for a message to an anonymous person).
/// A message pushed to a person reaches every connection they have open.
public final class StreamHub: Sendable {
    struct Subscriber: Sendable {
        var id: UInt64
        var continuation: AsyncStream<JSONValue>.Continuation
    }

    let subscribers = Mutex<[String: [Subscriber]]>([:])
    let nextId = Atomic<UInt64>(0)

    public init() {}

    /// Opens a connection for `person`: the stream of messages for them (`.null` marks a heartbeat,
    /// sent with `ping`), and a cancel to call when the connection closes.
    public func subscribe(
        _ person: String
    ) -> (messages: AsyncStream<JSONValue>, ping: @Sendable () -> Void, cancel: @Sendable () -> Void) {
        let (stream, continuation) = AsyncStream.makeStream(of: JSONValue.self, bufferingPolicy: .bufferingOldest(256))
        let id = nextId.add(1, ordering: .relaxed).newValue
        subscribers.withLock { $0[person, default: []].append(Subscriber(id: id, continuation: continuation)) }
        let cancel: @Sendable () -> Void = { [weak self] in
            self?.subscribers.withLock { all in
                all[person]?.removeAll { $0.id == id }
                if all[person]?.isEmpty == true { all.removeValue(forKey: person) }
            }
            continuation.finish()
        }
        let ping: @Sendable () -> Void = { continuation.yield(.null) }
        return (stream, ping, cancel)
    }

    /// Sends `message` to its person's open connections; `false` when they have none.
    public func push(_ message: Message) -> Bool {
        guard let person = Self.person(of: message) else { return false }
        let targets = subscribers.withLock { $0[person] ?? [] }
        guard !targets.isEmpty else { return false }
        let event = Self.event(message)
        var delivered = false
        for subscriber in targets {
            if case .enqueued = subscriber.continuation.yield(event) { delivered = true }
        }
        return delivered
    }

    /// The profile key a message is addressed to.
    static func person(of message: Message) -> String? {
        message.userId.map(ProfileKey.user) ?? message.anonymousId.map(ProfileKey.anonymous)
    }

    static func event(_ message: Message) -> JSONValue {
        [
            "id": .string(message.id), "trigger": .string(message.trigger), "channel": .string(message.channel),
            "createdAt": .string(Timestamp.format(message.createdAt)), "message": message.payload,
        ]
    }
}
