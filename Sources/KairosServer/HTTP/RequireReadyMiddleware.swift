import Hummingbird
import KairosCore
import KairosEngine

/// Answers 503 `not_ready` while the profiles are still being rebuilt, rather than a wrong 404.
struct RequireReadyMiddleware<Context: RequestContext>: RouterMiddleware {
    let pipeline: IngestPipeline

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard pipeline.isReady else {
            throw APIError(status: 503, code: "not_ready", message: "profiles are still being loaded; retry shortly")
        }
        return try await next(request, context)
    }
}
