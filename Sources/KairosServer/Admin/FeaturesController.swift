import Hummingbird
import KairosCore
import KairosEngine

/// `/v1/admin/features`: real-time features, applied live, validated on save. Secret key only.
struct FeaturesController<Context: RequestContext>: Sendable {
    let registry: DefinitionRegistry
    let backfill: FeatureBackfill
    let bodyReader: JSONBodyReader

    func addRoutes(to group: RouterGroup<Context>) {
        group.get { _, _ in
            let definitions = await self.registry.featureDefinitions()
            return Response.json([
                "features": .array(definitions.map(\.json)),
                "backfillsPending": .number(Double(self.backfill.backlog)),
            ])
        }
        group.get("{id}") { _, context in
            let id = try context.pathId()
            guard let definition = await self.registry.featureDefinitions().first(where: { $0.id == id }) else {
                throw APIError.notFound("feature")
            }
            return Response.json(definition.json)
        }
        group.put("{id}") { request, context in
            let definition = try FeatureDefinition.parse(try await self.bodyReader.read(request), id: try context.pathId())
            let backfilling = try await self.registry.putFeature(definition)
            guard case .object(var fields) = definition.json else { return Response.json(definition.json) }
            fields["backfilling"] = .bool(backfilling)
            return Response.json(.object(fields))
        }
        group.delete("{id}") { _, context in
            guard try await self.registry.deleteFeature(id: try context.pathId()) else { throw APIError.notFound("feature") }
            return Response(status: .noContent)
        }
    }
}
