/// Where messages go: a webhook (push, SMS, email, WhatsApp providers) or the in-app stream,
/// with the contact policy that limits how often one person is reached.
public struct ChannelDefinition: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        /// HTTP POST of the JSON message to `url`, signed with HMAC-SHA256.
        case webhook
        /// The per-user live stream (`/v1/stream`).
        case inapp
    }

    /// A cap: at most `count` messages per person within `window`.
    public struct Cap: Sendable, Equatable {
        public var count: Int
        public var window: Millis

        public init(count: Int, window: Millis) {
            self.count = count
            self.window = window
        }
    }

    public var id: String
    public var kind: Kind
    /// Webhook target; its host must be in the configured allow-list.
    public var url: String?
    /// Key of the `X-Kairos-Signature` HMAC (webhooks).
    public var secret: String?
    /// Request timeout (webhooks; default 5 s).
    public var timeout: Millis
    /// Attempts before a message is dead-lettered (default 6).
    public var maxAttempts: Int
    /// Caps per person on this channel, e.g. 1 per 24h.
    public var caps: [Cap]
    /// Quiet hours in the person's time zone, as minutes after midnight (start ..< end, may wrap).
    public var quietHours: (start: Int, end: Int)?
    /// How long an in-app message waits for its user to connect (default 24 h).
    public var timeToLive: Millis

    public init(id: String, kind: Kind) {
        self.id = id
        self.kind = kind
        self.timeout = 5000
        self.maxAttempts = 6
        self.caps = []
        self.timeToLive = 86_400_000
    }

    public static func == (lhs: ChannelDefinition, rhs: ChannelDefinition) -> Bool {
        lhs.json == rhs.json
    }
}
