import Hummingbird
import KairosCore

/// The admin routes every kind of definition shares: `GET /` (list), `GET|PUT|DELETE /{id}`.
/// A PUT is validated against the whole configuration before it changes anything.
struct DefinitionsController<Context: RequestContext, Definition: Sendable>: Sendable {
    /// The plural name used in the list (`{"channels": [...]}`) and in 404s.
    let name: String
    let bodyReader: JSONBodyReader
    let list: @Sendable () async -> [Definition]
    let id: @Sendable (Definition) -> String
    let parse: @Sendable (JSONValue, String) throws -> Definition
    /// Stores a validated definition and returns the answer (usually `describe` of it).
    let put: @Sendable (Definition) async throws -> JSONValue
    let delete: @Sendable (String) async throws -> Bool
    let describe: @Sendable (Definition) -> JSONValue
    /// More fields of the list answer (e.g. pending backfills).
    var listExtras: @Sendable () -> [String: JSONValue] = { [:] }

    func addRoutes(to group: RouterGroup<Context>) {
        group.get { _, _ in
            var answer = listExtras()
            answer[name] = .array(await list().map(describe))
            return Response.json(.object(answer))
        }
        group.get("{id}") { _, context in
            let wanted = try context.pathId()
            guard let definition = await list().first(where: { id($0) == wanted }) else {
                throw APIError.notFound(String(name.dropLast()))
            }
            return Response.json(describe(definition))
        }
        group.put("{id}") { request, context in
            let definition = try parse(try await bodyReader.read(request), try context.pathId())
            return Response.json(try await put(definition))
        }
        group.delete("{id}") { _, context in
            guard try await delete(try context.pathId()) else { throw APIError.notFound(String(name.dropLast())) }
            return Response(status: .noContent)
        }
    }
}
