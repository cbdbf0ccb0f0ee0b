/// Size and sanity limits applied to incoming events.
public struct IngestLimits: Sendable, Equatable {
    /// Largest accepted event, measured on its normalised JSON (default 32 KiB).
    public var maxEventBytes: Int
    /// Largest accepted request body, after decompression (default 500 KiB).
    public var maxRequestBytes: Int
    /// How far in the future an event's corrected timestamp may be (default one day).
    public var maxFutureSkew: Millis
    /// Longest accepted id (`userId`, `anonymousId`, `messageId`, ...).
    public var maxIdLength: Int

    public init(
        maxEventBytes: Int = 32 * 1024, maxRequestBytes: Int = 500 * 1024, maxFutureSkew: Millis = 86_400_000,
        maxIdLength: Int = 256
    ) {
        self.maxEventBytes = maxEventBytes
        self.maxRequestBytes = maxRequestBytes
        self.maxFutureSkew = maxFutureSkew
        self.maxIdLength = maxIdLength
    }
}
