import Hummingbird
import KairosCore
import NIOCore

extension Response {
    /// A JSON response of `value`.
    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        json(encoded: JSONWriter.bytes(value), status: status)
    }

    /// A JSON response of already encoded bytes.
    static func json(encoded bytes: [UInt8], status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.contentLength] = String(bytes.count)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// The brief's error shape for `error`.
    static func error(_ error: APIError) -> Response {
        var response = json(error.body, status: HTTPResponse.Status(code: error.status))
        if error.status == 429 || error.status == 503 { response.headers[.retryAfter] = "1" }
        return response
    }
}
