import KairosCore

/// Settings of triggers and delivery.
public struct DeliveryConfiguration: Sendable {
    /// Hosts webhooks may be sent to (exact, lower-case). Empty: none.
    public var allowedHosts: Set<String>
    /// First retry delay; each later one doubles, up to `maxRetryDelay`, with ±20 % jitter.
    public var retryBase: Millis
    public var maxRetryDelay: Millis
    /// Cap across all channels per person, e.g. at most 5 messages per 24 h.
    public var crossChannelCap: ChannelDefinition.Cap?

    public init(
        allowedHosts: Set<String> = ["localhost", "127.0.0.1"], retryBase: Millis = 1000, maxRetryDelay: Millis = 300_000,
        crossChannelCap: ChannelDefinition.Cap? = nil
    ) {
        self.allowedHosts = allowedHosts
        self.retryBase = retryBase
        self.maxRetryDelay = maxRetryDelay
        self.crossChannelCap = crossChannelCap
    }

    /// How far back the contact policy counts messages: the longest window among the channels'
    /// caps and the cross-channel cap (0 without caps).
    public func longestCapWindow(among channels: some Sequence<ChannelDefinition>) -> Millis {
        let windows = channels.lazy.flatMap(\.caps).map(\.window)
        return max(windows.max() ?? 0, crossChannelCap?.window ?? 0)
    }

    /// The host of a webhook channel that `allowedHosts` does not list, if any (such a channel is
    /// refused when saved or loaded, and its messages are dead-lettered uncalled).
    public func forbiddenHost(of channel: ChannelDefinition) -> String? {
        guard channel.kind == .webhook, let host = channel.url.flatMap(WebhookTarget.host(of:)),
            !allowedHosts.contains(host)
        else { return nil }
        return host
    }

    /// Refuses (422 on `url`) a webhook channel whose host is not allowed.
    public func checkAllowed(_ channel: ChannelDefinition) throws(APIError) {
        if let host = forbiddenHost(of: channel) {
            throw APIError.invalidField("url", "channel '\(channel.id)': host '\(host)' is not in delivery.allowedHosts")
        }
    }

    /// The delay before attempt `attempt + 1` after `attempt` failures, with jitter.
    func retryDelay(afterAttempt attempt: Int) -> Millis {
        let exponential = min(maxRetryDelay, retryBase << min(attempt - 1, 20))
        let jitter = Double.random(in: 0.8...1.2)
        return Millis(Double(exponential) * jitter)
    }
}
