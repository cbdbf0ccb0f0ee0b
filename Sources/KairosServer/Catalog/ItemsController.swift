import Hummingbird
import KairosCore
import KairosStore

/// `/v1/items`: the catalog. Secret key only.
struct ItemsController<Context: RequestContext>: Sendable {
    let store: any DataStore
    /// The in-memory catalog recommendations read, kept in step with the store.
    let catalog: Catalog
    let bodyReader: JSONBodyReader

    func addRoutes(to group: RouterGroup<Context>) {
        group.put("{id}") { request, context in
            let id = try context.pathId()
            let item = try Item.parse(try await self.bodyReader.read(request), id: id, now: Timestamp.now())
            try await self.store.putItems([item])
            self.catalog.put([item])
            return Response.json(item.json)
        }
        group.get("{id}") { _, context in
            guard let item = try await self.store.item(id: try context.pathId()) else {
                throw APIError.notFound("item")
            }
            return Response.json(item.json)
        }
        group.delete("{id}") { _, context in
            let id = try context.pathId()
            guard try await self.store.deleteItem(id: id) else {
                throw APIError.notFound("item")
            }
            self.catalog.remove(id: id)
            return Response(status: .noContent)
        }
        group.post { request, _ in
            try await self.bulk(request)
        }
    }

    /// `POST /v1/items` with `{"items": [...]}` (or a bare array): valid items are stored in one
    /// transaction, invalid ones are listed with their index.
    private func bulk(_ request: Request) async throws -> Response {
        let body = try await bodyReader.read(request)
        let entries: [JSONValue]
        switch body {
        case .array(let list): entries = list
        case .object(let fields):
            guard let list = fields["items"]?.arrayValue else {
                throw APIError.missingField("items", "send {\"items\": [...]}")
            }
            entries = list
        default:
            throw APIError.invalidField("items", "send {\"items\": [...]}")
        }
        let now = Timestamp.now()
        var items: [Item] = []
        var rejected: [APIError] = []
        for (index, entry) in entries.enumerated() {
            do {
                items.append(try Item.parse(entry, now: now))
            } catch {
                rejected.append(error.at(index: index))
            }
        }
        if items.isEmpty, let first = rejected.first {
            var detail = first.body.objectValue ?? [:]
            detail["rejected"] = .array(rejected.map(\.detail))
            return .json(.object(detail), status: .init(code: first.status))
        }
        try await store.putItems(items)
        catalog.put(items)
        return .json([
            "stored": .number(Double(items.count)), "rejected": .array(rejected.map(\.detail)),
        ])
    }
}
