import Hummingbird
import KairosCore
import KairosStore

/// `GET /v1/admin/deliveries?state=&channel=&userId=&limit=`: the outbox, newest first.
struct DeliveriesController<Context: RequestContext>: Sendable {
    let store: any DataStore

    func addRoutes(to group: RouterGroup<Context>) {
        group.get { request, _ in
            let query = request.uri.queryParameters
            var state: Message.State?
            if let text = query["state"] {
                guard let parsed = Message.State(rawValue: String(text)) else {
                    throw APIError.invalidField(
                        "state", "'state' must be one of \(Message.State.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                state = parsed
            }
            let limit = try queryInt(request, "limit", default: 100, range: 1...1000)
            let messages = try await self.store.messages(
                state: state, channel: query["channel"].map(String.init), userId: query["userId"].map(String.init),
                limit: limit)
            return Response.json(["deliveries": .array(messages.map(\.json))])
        }
    }
}
