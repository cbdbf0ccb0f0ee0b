import Hummingbird
import KairosCore
import KairosEngine
import NIOCore
import ServiceLifecycle

/// `GET /v1/stream?userId=…&token=…`: a person's live in-app messages as Server-Sent Events;
/// `POST /v1/stream/tokens`: mints a person's token (secret key).
struct StreamController<Context: RequestContext>: Sendable {
    let tokens: StreamTokens
    let worker: DeliveryWorker
    let authenticator: Authenticator
    let bodyReader: JSONBodyReader
    let heartbeat: Duration

    func addRoutes(to router: Router<Context>) {
        router.post("v1/stream/tokens") { request, _ in
            try self.authenticator.authorize(headers: request.headers, required: .secret)
            guard case .object(let fields) = try await self.bodyReader.read(request) else {
                throw APIError(status: 400, code: "invalid_body", message: "the body must be a JSON object")
            }
            let parser = EventParser()
            if let userId = try parser.id(fields, "userId") {
                return Response.json(["userId": .string(userId), "token": .string(self.tokens.token(for: ProfileKey.user(userId)))])
            }
            guard let anonymousId = try parser.id(fields, "anonymousId") else {
                throw APIError.missingField("userId", "send {\"userId\": \"...\"} (or anonymousId)")
            }
            return Response.json([
                "anonymousId": .string(anonymousId), "token": .string(self.tokens.token(for: ProfileKey.anonymous(anonymousId))),
            ])
        }
        router.get("v1/stream") { request, _ in
            try await self.stream(request)
        }
    }

    private func stream(_ request: Request) async throws -> Response {
        let query = request.uri.queryParameters
        // The person, as a profile key: a userId and an anonymousId that are the same text are two people.
        let person: String
        if let userId = query["userId"].map(String.init), !userId.isEmpty {
            person = ProfileKey.user(userId)
        } else if let anonymousId = query["anonymousId"].map(String.init), !anonymousId.isEmpty {
            person = ProfileKey.anonymous(anonymousId)
        } else {
            throw APIError.missingField("userId", "the stream needs ?userId=…&token=… (or ?anonymousId=…)")
        }
        let bearer = request.headers[.authorization].flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil }
        guard let token = query["token"].map(String.init) ?? bearer, tokens.verify(token, for: person) else {
            throw APIError(status: 401, code: "unauthorized", message: "missing or invalid stream token for this person")
        }
        let (messages, ping, cancel) = worker.hub.subscribe(person)
        let worker = self.worker
        let heartbeat = self.heartbeat
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                // Heartbeats find closed connections even when no message comes.
                let pinger = Task {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: heartbeat)
                        ping()
                    }
                }
                defer {
                    pinger.cancel()
                    cancel()
                }
                try await writer.write(ByteBuffer(string: ": connected\n\n"))
                try await worker.deliverPending(to: person)
                // On graceful shutdown the stream ends, so draining the server does not wait on it.
                try await withGracefulShutdownHandler {
                    for await event in messages {
                        if event == .null {
                            try await writer.write(ByteBuffer(string: ": ping\n\n"))
                        } else {
                            let id = event["id"]?.stringValue ?? ""
                            try await writer.write(
                                ByteBuffer(string: "id: \(id)\nevent: message\ndata: \(JSONWriter.string(event))\n\n"))
                        }
                    }
                } onGracefulShutdown: {
                    cancel()
                }
                try await writer.finish(nil)
            })
    }
}
