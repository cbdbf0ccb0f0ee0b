import AsyncHTTPClient
import Crypto
import Foundation
import KairosCore
import KairosStore
import Logging
import Metrics
import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// Delivers outbox messages at least once: webhooks by HTTP POST, signed with HMAC-SHA256 and
/// carrying an idempotency key, retried with exponential backoff and jitter, dead-lettered after
/// the channel's `maxAttempts`; only to allowed hosts.
public final class DeliveryWorker: Service, Sendable {
    let store: any DataStore
    let engine: TriggerEngine
    let configuration: DeliveryConfiguration
    let logger: Logger
    let doorbell = Doorbell()
    /// Open in-app connections.
    public let hub: StreamHub
    /// The process-wide client (it needs no shutdown, so a worker that never ran leaks nothing).
    var client: HTTPClient { HTTPClient.shared }

    public init(
        store: any DataStore, engine: TriggerEngine, hub: StreamHub = StreamHub(), configuration: DeliveryConfiguration,
        logger: Logger
    ) {
        self.store = store
        self.hub = hub
        self.engine = engine
        self.configuration = configuration
        self.logger = logger
    }

    /// Looks for due messages now.
    public func wake() { doorbell.ring() }

    public func run() async throws {
        await doorbell.loop {
            try await deliverDue()
            return try await store.nextMessageDue()
        } failed: { error in
            logger.error("delivery loop failed; retrying", metadata: ["error.type": "\(type(of: error))"])
        }
    }

    func deliverDue() async throws {
        while !Task.isShuttingDownGracefully {
            let due = try await store.dueMessages(now: Timestamp.now(), limit: 32)
            if due.isEmpty { return }
            let recorded = await withTaskGroup(of: Bool.self) { group in
                for message in due { group.addTask { await self.attempt(message) } }
                return await group.reduce(true) { $0 && $1 }
            }
            // An outcome that could not be recorded would be retried at once, again and again:
            // back off to the loop's delay instead.
            guard recorded else { throw DeliveryError.outcomeNotRecorded }
        }
    }

    enum DeliveryError: Error { case outcomeNotRecorded }

    /// One attempt; returns whether its outcome was recorded.
    func attempt(_ original: Message) async -> Bool {
        var message = original
        let channels = engine.triggers.channels
        guard let channel = channels[message.channel] else {
            message.state = .dead
            message.lastError = "channel '\(message.channel)' no longer exists"
            return await record(message)
        }
        if let host = configuration.forbiddenHost(of: channel) {
            // Never called, so nothing to retry.
            message.state = .dead
            message.lastError = "host '\(host)' is not in delivery.allowedHosts"
            return await record(message)
        }
        if channel.kind == .inapp {
            return await deliverInApp(message, channel: channel)
        }
        message.attempts += 1
        let outcome = await post(message, to: channel)
        let now = Timestamp.now()
        if let error = outcome {
            message.lastError = error
            if message.attempts >= channel.maxAttempts {
                message.state = .dead
                Counter(label: "kairos_deliveries_total", dimensions: [("channel", channel.id), ("outcome", "dead")]).increment()
                logger.warning("message dead-lettered", metadata: ["channel": "\(channel.id)", "attempts": "\(message.attempts)"])
            } else {
                message.nextAttemptAt = now + configuration.retryDelay(afterAttempt: message.attempts)
                Counter(label: "kairos_deliveries_total", dimensions: [("channel", channel.id), ("outcome", "retry")]).increment()
            }
        } else {
            message.state = .delivered
            message.deliveredAt = now
            message.lastError = nil
            Counter(label: "kairos_deliveries_total", dimensions: [("channel", channel.id), ("outcome", "delivered")]).increment()
        }
        return await record(message)
    }

    private func record(_ message: Message) async -> Bool {
        do {
            try await store.updateMessage(message)
            return true
        } catch {
            logger.error("could not record a delivery attempt", metadata: ["error.type": "\(type(of: error))"])
            return false
        }
    }

    /// In-app: to the person's open connections now; otherwise it waits for them to connect
    /// (see ``deliverPending(to:)``) until the channel's time-to-live, then expires.
    func deliverInApp(_ original: Message, channel: ChannelDefinition) async -> Bool {
        var message = original
        let now = Timestamp.now()
        if hub.push(message) {
            message.attempts += 1
            message.state = .delivered
            message.deliveredAt = now
            Counter(label: "kairos_deliveries_total", dimensions: [("channel", channel.id), ("outcome", "delivered")]).increment()
        } else if now >= message.createdAt + channel.timeToLive {
            message.state = .expired
            message.lastError = "not connected within \(ExpressionDuration.format(channel.timeToLive))"
            Counter(label: "kairos_deliveries_total", dimensions: [("channel", channel.id), ("outcome", "expired")]).increment()
        } else {
            message.nextAttemptAt = message.createdAt + channel.timeToLive
        }
        return await record(message)
    }

    /// Sends a person's waiting in-app messages (`person` is a profile key, `u:…` or `a:…`) over the
    /// connection they just opened.
    public func deliverPending(to person: String) async throws {
        let channels = engine.triggers.channels
        let waiting = try await store.messages(state: .pending, channel: nil, userId: String(person.dropFirst(2)), limit: 500)
        for var message in waiting.reversed()
        where channels[message.channel]?.kind == .inapp && StreamHub.person(of: message) == person {
            guard hub.push(message) else { return }
            message.attempts += 1
            message.state = .delivered
            message.deliveredAt = Timestamp.now()
            try await store.updateMessage(message)
        }
    }

    /// Sends one webhook; returns the error, or `nil` when the receiver accepted it (2xx).
    func post(_ message: Message, to channel: ChannelDefinition) async -> String? {
        guard let url = channel.url else { return "no webhook URL" }  // hosts were checked by `attempt`
        var fields: [String: JSONValue] = [
            "id": .string(message.id), "channel": .string(message.channel), "trigger": .string(message.trigger),
            "createdAt": .string(Timestamp.format(message.createdAt)), "attempt": .number(Double(message.attempts)),
            "message": message.payload,
        ]
        if let userId = message.userId { fields["userId"] = .string(userId) }
        if let anonymousId = message.anonymousId { fields["anonymousId"] = .string(anonymousId) }
        let body = JSONWriter.bytes(.object(fields))
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Idempotency-Key", value: message.id)
        request.headers.add(name: "User-Agent", value: "Kairos")
        if let secret = channel.secret {
            let signature = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(secret.utf8)))
            request.headers.add(name: "X-Kairos-Signature", value: "sha256=" + signature.withUnsafeBytes { Hex.encode($0) })
        }
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await client.execute(request, timeout: .milliseconds(channel.timeout))
            _ = try? await response.body.collect(upTo: 64 * 1024)
            guard (200..<300).contains(response.status.code) else { return "HTTP \(response.status.code)" }
            return nil
        } catch {
            return "\(type(of: error)): \(error)".prefix(300).description
        }
    }
}
