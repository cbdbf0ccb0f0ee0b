/// A decision as logged: who, where, when, and what was shown in which position (`body` holds the
/// response: items with scores and reasons, versions, personalization).
public struct DecisionRecord: Sendable, Equatable {
    public var id: String
    public var profileKey: String?
    public var userId: String?
    public var anonymousId: String?
    public var placement: String
    public var createdAt: Millis
    public var body: JSONValue
    /// `body` as compact JSON when already encoded (the response sent), so it is written as is.
    public var encodedBody: [UInt8]?

    public init(
        id: String, profileKey: String?, userId: String?, anonymousId: String?, placement: String, createdAt: Millis,
        body: JSONValue
    ) {
        self.id = id
        self.profileKey = profileKey
        self.userId = userId
        self.anonymousId = anonymousId
        self.placement = placement
        self.createdAt = createdAt
        self.body = body
        self.encodedBody = nil
    }

    /// A decision whose body is already encoded (the response sent): only the bytes are kept
    /// while it waits for the log, `body` is `null`.
    public init(
        id: String, profileKey: String?, userId: String?, anonymousId: String?, placement: String, createdAt: Millis,
        encodedBody: [UInt8]
    ) {
        self.init(
            id: id, profileKey: profileKey, userId: userId, anonymousId: anonymousId, placement: placement,
            createdAt: createdAt, body: .null)
        self.encodedBody = encodedBody
    }

    /// Buckets of ``ownerBucket(of:)``.
    public static let ownerBuckets = 16

    /// The bucket of a user or anonymous id a decision was made for. The log's indexes for erasure
    /// are ordered by bucket and then time, so a batch of decisions adds to the ends of 16 runs
    /// instead of one random page of a per-id index each. Stored with every decision: the
    /// function must not change.
    public static func ownerBucket(of id: String) -> Int {
        Int(ProfileBook.mixedHash(id) % UInt64(ownerBuckets))
    }
}
