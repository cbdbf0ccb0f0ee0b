import Hummingbird
import KairosCore
import KairosEngine

/// `/v1/admin/segments`: live segments with their sizes. Secret key only.
struct SegmentsController<Context: RequestContext>: Sendable {
    let registry: DefinitionRegistry
    let profiles: ProfileBook
    let bodyReader: JSONBodyReader

    func addRoutes(to group: RouterGroup<Context>) {
        group.get { _, _ in
            let sizes = self.profiles.segmentSizes
            let definitions = await self.registry.segmentDefinitions()
            return Response.json(["segments": .array(definitions.map { self.describe($0, sizes) })])
        }
        group.get("{id}") { _, context in
            let id = try context.pathId()
            guard let definition = await self.registry.segmentDefinitions().first(where: { $0.id == id }) else {
                throw APIError.notFound("segment")
            }
            return Response.json(self.describe(definition, self.profiles.segmentSizes))
        }
        group.put("{id}") { request, context in
            let definition = try SegmentDefinition.parse(try await self.bodyReader.read(request), id: try context.pathId())
            try await self.registry.putSegment(definition)
            return Response.json(self.describe(definition, self.profiles.segmentSizes))
        }
        group.delete("{id}") { _, context in
            guard try await self.registry.deleteSegment(id: try context.pathId()) else { throw APIError.notFound("segment") }
            return Response(status: .noContent)
        }
    }

    private func describe(_ definition: SegmentDefinition, _ sizes: [String: Int]) -> JSONValue {
        guard case .object(var fields) = definition.json else { return definition.json }
        fields["size"] = .number(Double(sizes[definition.id] ?? 0))
        return .object(fields)
    }
}
