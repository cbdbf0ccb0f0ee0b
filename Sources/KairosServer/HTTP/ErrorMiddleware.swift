import Hummingbird
import KairosCore
import Logging

/// Turns every error into the JSON error shape with the right status; never lets one escape.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return .error(error)
        } catch let error as any HTTPResponseError {
            return .error(Self.apiError(for: error.status, message: (error as? HTTPError)?.body))
        } catch {
            // Do not echo internal details (they may hold data); log the type only.
            context.logger.error("unhandled error", metadata: ["error.type": "\(type(of: error))"])
            return .error(APIError(status: 500, code: "internal_error", message: "internal error"))
        }
    }

    static func apiError(for status: HTTPResponse.Status, message: String?) -> APIError {
        let code: String
        switch status.code {
        case 400: code = "bad_request"
        case 401: code = "unauthorized"
        case 403: code = "forbidden"
        case 404: code = "not_found"
        case 405: code = "method_not_allowed"
        case 413: code = "payload_too_large"
        case 415: code = "unsupported_media_type"
        case 429: code = "overloaded"
        default: code = status.code >= 500 ? "internal_error" : "bad_request"
        }
        let text = message ?? (status.code == 404 ? "no such route" : status.reasonPhrase)
        return APIError(status: status.code, code: code, message: text)
    }
}
