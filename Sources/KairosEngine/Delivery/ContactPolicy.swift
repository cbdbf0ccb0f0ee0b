import Foundation
import KairosCore
import KairosStore

/// The contact policy of outbound messages: marketing consent, the channel's caps, the
/// configured cross-channel cap and the channel's quiet hours in the person's time zone.
public struct ContactPolicy: Sendable {
    let store: any DataStore
    let configuration: DeliveryConfiguration

    public init(store: any DataStore, configuration: DeliveryConfiguration) {
        self.store = store
        self.configuration = configuration
    }

    /// Why a message to this person on `channel` at `now` must not go out, if it must not.
    /// `timeZone` is the request's or event's zone, else the profile's `timezone` trait.
    public func refusal(
        channel: ChannelDefinition?, channelId: String, profile: Profile, timeZone: String?, now: Millis
    ) async throws -> String? {
        guard let channel else { return "channel '\(channelId)' no longer exists" }
        guard profile.consent.allows(Consent.marketing) else { return "no marketing consent" }
        let userId = profile.userId
        let anonymousId = profile.userId == nil ? profile.anonymousIds.first : nil
        for cap in channel.caps {
            let count = try await store.contactCount(userId: userId, anonymousId: anonymousId, channel: channel.id, since: now - cap.window)
            if count >= cap.count {
                return "contact cap: \(cap.count) per \(ExpressionDuration.format(cap.window)) on \(channel.id)"
            }
        }
        if let cap = configuration.crossChannelCap {
            let count = try await store.contactCount(userId: userId, anonymousId: anonymousId, channel: nil, since: now - cap.window)
            if count >= cap.count {
                return "contact cap: \(cap.count) per \(ExpressionDuration.format(cap.window)) across channels"
            }
        }
        if let quiet = channel.quietHours {
            let zone = timeZone ?? profile.traits["timezone"]?.stringValue
            if let identifier = zone, let timeZone = TimeZone(identifier: identifier) {
                var calendar = Calendar(identifier: .gregorian)
                calendar.timeZone = timeZone
                let date = Date(timeIntervalSince1970: Double(now) / 1000)
                let parts = calendar.dateComponents([.hour, .minute], from: date)
                let minutes = (parts.hour ?? 0) * 60 + (parts.minute ?? 0)
                let inQuiet = quiet.start <= quiet.end
                    ? (minutes >= quiet.start && minutes < quiet.end)
                    : (minutes >= quiet.start || minutes < quiet.end)
                if inQuiet { return "quiet hours in \(identifier)" }
            }
        }
        return nil
    }
}
